namespace Aar.Protocol.Http;

/// <summary>
/// An RFC 9457 problem+json body. <see cref="Type"/> is a stable, documented slug (docs/api.md) that programs switch
/// on; <see cref="Detail"/> is the sentence for people.
/// </summary>
public sealed record Problem
{
    public required string Type { get; init; }

    public required string Title { get; init; }

    public required int Status { get; init; }

    public string? Detail { get; init; }

    /// <summary>The certificate the problem is about, when there is one.</summary>
    public string? Fingerprint { get; init; }

    /// <summary>The caller's role, on authorization problems.</summary>
    public string? Role { get; init; }

    /// <summary>On upload problems: the session's current offset, where the next chunk must start.</summary>
    public long? Offset { get; init; }
}
