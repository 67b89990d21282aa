namespace Aar.Protocol.Registry;

/// <summary>A stored blob: its digest (<c>sha256:…</c>) and size in bytes.</summary>
public sealed record BlobDescriptor
{
    public required string Digest { get; init; }

    public required long Size { get; init; }
}
