namespace Aar.Protocol.Registry;

/// <summary>
/// Appends ranges of blobs the registry already stores to an upload session (<see cref="RegistryRoutes.UploadCopy"/>),
/// in order, as if the publisher had sent those bytes: the delta upload's way of not sending what the registry has.
/// The session's offset, size limit, quota and final digest check apply exactly as to sent bytes.
/// </summary>
public sealed record UploadCopyRequest
{
    /// <summary>Where the first range lands; must be the session's offset (else 416 with the offset).</summary>
    public required long Offset { get; init; }

    public required IReadOnlyList<BlobRange> Ranges { get; init; }
}

/// <summary><see cref="Length"/> bytes of stored blob <see cref="Blob"/> from byte <see cref="Offset"/>.</summary>
public sealed record BlobRange
{
    public required string Blob { get; init; }

    public required long Offset { get; init; }

    public required long Length { get; init; }
}
