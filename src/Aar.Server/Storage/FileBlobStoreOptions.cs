namespace Aar.Server.Storage;

/// <summary>Where <see cref="FileSystemBlobStore"/> keeps blobs, as the composition root hands it (both under the data directory).</summary>
internal sealed record FileBlobStoreOptions
{
    /// <summary>Content-addressed blobs (<c>blobs/sha256/ab/abcd…</c>) and their temporary files (<c>blobs/.tmp</c>).</summary>
    public required string BlobsDirectory { get; init; }

    /// <summary>Blobs a scrub found damaged (<c>quarantine/&lt;hex&gt;.&lt;unix-ms&gt;</c>), kept for inspection; never served.</summary>
    public required string QuarantineDirectory { get; init; }
}
