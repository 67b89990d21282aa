using Aar.Protocol.Http;
using Aar.Protocol.Registry;

namespace Aar.Server.Uploads;

/// <summary>Delta uploads: bytes the registry already stores join a session as if the publisher had sent them.</summary>
internal sealed partial class UploadSessions
{
    /// <summary>
    /// Appends <paramref name="ranges"/> (checked by the caller to lie inside stored blobs) at <paramref name="start"/>,
    /// which must be the session's offset. Everything a sent chunk goes through applies: the one-writer gate, the size
    /// limit, the staged-bytes quota, hashing and checkpoints; so completion verifies the full SHA-256 as for any upload.
    /// </summary>
    public async Task<ApiResult<UploadSession>> CopyAsync(string id, string publisher, long start, IReadOnlyList<StoredRange> ranges, CancellationToken cancellationToken)
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
            var length = ranges.Sum(r => r.Length);
            await using var body = new StoredRanges(ranges, cancellationToken);
            var chunk = new Chunk(length > 0 ? new ContentRange(start, start + length - 1) : null, length, body);
            if (length == 0)
            {
                var row = await PrepareAsync(id, live, cancellationToken);
                return row is null ? ApiResult.Failed<UploadSession>(UploadProblems.Unknown(id))
                    : row.Received != start ? ApiResult.Failed<UploadSession>(UploadProblems.OffsetMismatch(start, row.Received))
                    : ApiResult.Ok(Describe(id, row.Received, time.GetUtcNow()));
            }

            var written = await WriteChunkAsync(id, live, chunk, cancellationToken);
            return written.Succeeded ? ApiResult.Ok(Describe(id, written.Value, time.GetUtcNow())) : ApiResult.Failed<UploadSession>(written.Problem!);
        }
        finally
        {
            live.Gate.Release();
        }
    }
}
