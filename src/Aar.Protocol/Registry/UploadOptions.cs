namespace Aar.Protocol.Registry;

/// <summary>How <see cref="RegistryClient.UploadBlobAsync"/> sends a blob.</summary>
public sealed record UploadOptions
{
    /// <summary>Bytes per chunk; a broken connection costs at most one chunk of re-transfer. Default 64 MiB.</summary>
    public long ChunkSize { get; init; } = 64L * 1024 * 1024;

    /// <summary>Consecutive failed attempts (network errors) tolerated before giving up. Default 5.</summary>
    public int MaxAttempts { get; init; } = 5;

    /// <summary>First retry delay, doubled per consecutive failure. Default 1 s.</summary>
    public TimeSpan RetryDelay { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Continue this upload session (e.g. after a restart of the client) instead of starting a new one.</summary>
    public string? ResumeSessionId { get; init; }

    /// <summary>Receives the number of bytes the registry holds (or that have left) so far.</summary>
    public IProgress<long>? Progress { get; init; }

    /// <summary>Receives the bytes the registry copied from blobs it already held so far (a delta upload: bytes not sent).</summary>
    public IProgress<long>? Reused { get; init; }

    /// <summary>
    /// Asks the registry to index the new blob's chunks while it assembles it (<c>POST /1.0/uploads?index=chunks</c>),
    /// so its chunk index is ready when the upload completes. Set by uploads by difference.
    /// </summary>
    internal bool IndexChunks { get; init; }

    /// <summary>Called with the id of a newly started upload session, so the caller can persist it and resume after its own restart.</summary>
    public Func<string, Task>? OnSessionStarted { get; init; }

    /// <summary>
    /// An upload by difference that sends its pieces first, as one blob (<see cref="DeltaPolicy.StageSentFrom"/>):
    /// continue the session that was carrying them instead of sending them again from the start.
    /// </summary>
    public string? ResumeStagedSessionId { get; init; }

    /// <summary>Called with the id of the session that carries those pieces, so the caller can persist it as well.</summary>
    public Func<string, Task>? OnStagedSessionStarted { get; init; }
}
