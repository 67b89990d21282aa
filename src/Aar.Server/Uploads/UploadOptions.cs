namespace Aar.Server.Uploads;

/// <summary>Limits of upload sessions, as the composition root hands them to <see cref="UploadServiceCollectionExtensions.AddUploads"/>.</summary>
internal sealed record UploadOptions
{
    /// <summary>Largest blob accepted, in bytes (<c>--max-blob-size</c>).</summary>
    public required long MaxBlobBytes { get; init; }

    /// <summary>A session with no chunk for this long is expired and its bytes reclaimed (<c>--upload-expiry</c>).</summary>
    public required TimeSpan IdleTimeout { get; init; }

    /// <summary>Sessions one publisher may have open at once (<c>--max-upload-sessions</c>).</summary>
    public required int MaxSessionsPerPublisher { get; init; }

    /// <summary>Bytes one publisher's open sessions may hold together (<c>--max-staged-bytes</c>, or its default).</summary>
    public required long StagedBytesCap { get; init; }
}
