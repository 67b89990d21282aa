using System.Collections.Concurrent;
using System.Security.Cryptography;
using Aar.Protocol.Http;
using Aar.Protocol.Registry;
using Aar.Server.Hosting;
using Aar.Server.Storage;
using Microsoft.Extensions.Logging;

namespace Aar.Server.Uploads;

/// <summary>A chunk as the endpoint received it: the claimed range (null = "at the current offset") and its body.</summary>
internal sealed record Chunk(ContentRange? Range, long Length, Stream Body);

/// <summary>
/// Resumable, offset-checked uploads. The persisted offset (SQLite) is the truth; bytes live in
/// <c>&lt;data&gt;/uploads/&lt;id&gt;</c>. A chunk must start exactly at the offset (else 416, unlike docker-registry
/// 2.8.2, peers.md §2.10). The SHA-256 state stays in memory while the server runs; after a restart (or a failed
/// write) the partial file is re-hashed up to the persisted offset, and bytes past it are cut off.
/// </summary>
internal sealed partial class UploadSessions(UploadDatabase database, UploadArea area, IBlobStore blobs, TimeProvider time, ServeOptions options, ILogger<UploadSessions> logger)
{
    /// <summary>Offset persisted at least this often during one long chunk, so kill -9 costs at most this much re-transfer.</summary>
    public const long CheckpointBytes = 64L * 1024 * 1024;

    private readonly ConcurrentDictionary<string, LiveSession> _live = new(StringComparer.Ordinal);

    public TimeSpan IdleTimeout => options.UploadIdleTimeout;

    public async Task<UploadSession> CreateAsync(string publisher, CancellationToken cancellationToken)
    {
        var id = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
        var now = time.GetUtcNow();
        File.Create(area.PathOf(id)).Dispose();
        await database.InsertAsync(new UploadRow(id, publisher, 0, now, now), cancellationToken);
        Log.Started(logger, id, publisher);
        return Describe(id, 0, now);
    }

    public async Task<ApiResult<UploadSession>> GetAsync(string id, string publisher, CancellationToken cancellationToken)
    {
        var found = await FindAsync(id, publisher, cancellationToken);
        return found.Succeeded ? ApiResult.Ok(Describe(id, found.Value!.Received, found.Value.LastActiveAt)) : ApiResult.Failed<UploadSession>(found.Problem!);
    }

    public async Task<ApiResult<UploadSession>> AppendAsync(string id, string publisher, Chunk chunk, CancellationToken cancellationToken)
    {
        var found = await FindAsync(id, publisher, cancellationToken);
        if (!found.Succeeded)
        {
            return ApiResult.Failed<UploadSession>(found.Problem!);
        }

        var live = _live.GetOrAdd(id, static _ => new LiveSession());
        if (!await live.Gate.WaitAsync(0, cancellationToken))
        {
            return ApiResult.Failed<UploadSession>(UploadProblems.Busy(id, found.Value!.Received));
        }

        try
        {
            var written = await WriteChunkAsync(id, live, chunk, cancellationToken);
            return written.Succeeded ? ApiResult.Ok(Describe(id, written.Value, time.GetUtcNow())) : ApiResult.Failed<UploadSession>(written.Problem!);
        }
        finally
        {
            live.Gate.Release();
        }
    }

    /// <summary>Appends the optional last chunk, verifies size and digest, and moves the bytes into the blob store.</summary>
    public async Task<ApiResult<BlobPutResult>> CompleteAsync(string id, string publisher, BlobDigest expected, long? declaredSize, Chunk? last, CancellationToken cancellationToken)
    {
        var found = await FindAsync(id, publisher, cancellationToken);
        if (!found.Succeeded)
        {
            return ApiResult.Failed<BlobPutResult>(found.Problem!);
        }

        var live = _live.GetOrAdd(id, static _ => new LiveSession());
        if (!await live.Gate.WaitAsync(0, cancellationToken))
        {
            return ApiResult.Failed<BlobPutResult>(UploadProblems.Busy(id, found.Value!.Received));
        }

        try
        {
            if (await PrepareAsync(id, live, cancellationToken) is not { } received)
            {
                return ApiResult.Failed<BlobPutResult>(UploadProblems.Unknown(id));
            }

            if (last is not null)
            {
                var written = await WriteChunkAsync(id, live, last, cancellationToken);
                if (!written.Succeeded)
                {
                    return ApiResult.Failed<BlobPutResult>(written.Problem!);
                }

                received = written.Value;
            }

            if (declaredSize is { } size && size != received)
            {
                return ApiResult.Failed<BlobPutResult>(UploadProblems.SizeMismatch(size, received, received));
            }

            var actual = BlobDigest.FromHash(live.Hash!.GetHashAndReset());
            live.Reset();
            if (actual != expected)
            {
                await DiscardAsync(id, CancellationToken.None);
                Log.DigestMismatch(logger, id, expected.ToString(), actual.ToString());
                return ApiResult.Failed<BlobPutResult>(UploadProblems.DigestMismatch(expected, actual, received));
            }

            // The file was fsynced after every chunk; the store only renames it into place.
            var result = await blobs.CommitVerifiedFileAsync(area.PathOf(id), actual, received, CancellationToken.None);
            await DiscardAsync(id, CancellationToken.None);
            Log.Completed(logger, id, actual.ToString(), received);
            return ApiResult.Ok(result);
        }
        finally
        {
            live.Gate.Release();
        }
    }

    public async Task<ApiResult<bool>> CancelAsync(string id, string publisher, CancellationToken cancellationToken)
    {
        var found = await FindAsync(id, publisher, cancellationToken);
        if (!found.Succeeded)
        {
            return ApiResult.Failed<bool>(found.Problem!);
        }

        var live = _live.GetOrAdd(id, static _ => new LiveSession());
        if (!await live.Gate.WaitAsync(0, cancellationToken))
        {
            return ApiResult.Failed<bool>(UploadProblems.Busy(id, found.Value!.Received));
        }

        try
        {
            await DiscardAsync(id, cancellationToken);
            return ApiResult.Ok(true);
        }
        finally
        {
            live.Gate.Release();
        }
    }

    /// <summary>
    /// Discards sessions expired for at least one reclaim interval (until then a request on one is told
    /// <c>upload-expired</c> rather than <c>upload-unknown</c>); a session being written to is left alone.
    /// </summary>
    public async Task<int> ReclaimExpiredAsync(CancellationToken cancellationToken)
    {
        var cutoff = time.GetUtcNow() - options.UploadIdleTimeout - UploadReclaimer.IntervalFor(options.UploadIdleTimeout);
        var reclaimed = 0;
        foreach (var row in await database.ListAsync(cancellationToken))
        {
            var live = _live.GetOrAdd(row.Id, static _ => new LiveSession());
            if (row.LastActiveAt >= cutoff || !await live.Gate.WaitAsync(0, cancellationToken))
            {
                continue;
            }

            try
            {
                var bytes = area.SizeOf(row.Id);
                await DiscardAsync(row.Id, cancellationToken);
                Log.Reclaimed(logger, row.Id, bytes);
                reclaimed++;
            }
            finally
            {
                live.Gate.Release();
            }
        }

        return reclaimed;
    }

    public async Task<(int Sessions, long Bytes)> StatisticsAsync(CancellationToken cancellationToken)
    {
        var rows = await database.ListAsync(cancellationToken);
        return (rows.Count, rows.Sum(r => area.SizeOf(r.Id)));
    }

    private async Task<ApiResult<UploadRow>> FindAsync(string id, string publisher, CancellationToken cancellationToken)
    {
        var row = UploadArea.IsValidId(id) ? await database.GetAsync(id, cancellationToken) : null;
        if (row is null || !string.Equals(row.Publisher, publisher, StringComparison.Ordinal))
        {
            return ApiResult.Failed<UploadRow>(UploadProblems.Unknown(id));
        }

        if (time.GetUtcNow() - row.LastActiveAt > options.UploadIdleTimeout)
        {
            // Discarded now unless a request is still writing to it; the reclaimer gets it otherwise.
            var live = _live.GetOrAdd(id, static _ => new LiveSession());
            if (await live.Gate.WaitAsync(0, cancellationToken))
            {
                try
                {
                    await DiscardAsync(id, cancellationToken);
                }
                finally
                {
                    live.Gate.Release();
                }
            }

            return ApiResult.Failed<UploadRow>(UploadProblems.Expired(id, options.UploadIdleTimeout));
        }

        return ApiResult.Ok(row);
    }

    private UploadSession Describe(string id, long received, DateTimeOffset lastActive) => new()
    {
        Id = id,
        Offset = received,
        ExpiresAt = lastActive + options.UploadIdleTimeout,
        Location = RegistryRoutes.Upload(id),
    };

    /// <summary>Removes a session's row, bytes and live state; the caller holds its gate.</summary>
    private async Task DiscardAsync(string id, CancellationToken cancellationToken)
    {
        await database.DeleteAsync(id, cancellationToken);
        area.Delete(id);
        if (_live.TryRemove(id, out var live))
        {
            live.Reset();
        }
    }
}
