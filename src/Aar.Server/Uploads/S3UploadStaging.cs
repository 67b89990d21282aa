using System.Buffers;
using System.Globalization;
using System.Net;
using Aar.Protocol.Registry;
using Aar.Server.Problems;
using Aar.Server.Storage.Hashing;
using Aar.Server.Storage;
using Aar.Server.Storage.S3;
using Amazon.S3;
using Amazon.S3.Model;

namespace Aar.Server.Uploads;

/// <summary>
/// Upload sessions on S3, continuable on any node. A session is a multipart upload into the blob's content address
/// when the client named the digest at start, otherwise into a temporary key <c>&lt;prefix&gt;uploads/&lt;id&gt;/data</c>
/// (the final key is only known at the end); bytes are cut into
/// fixed parts, and what a chunk leaves after its last full part goes to a small tail object
/// <c>uploads/&lt;id&gt;/tail-&lt;offset&gt;</c> that the next chunk, on whichever node, reads back into its part buffer. The
/// recorded offset only ever covers parts and a tail that are stored: a part that was uploaded but not recorded is
/// simply uploaded again (same part number overwrites), a tail is never overwritten (a new offset, a new key, the
/// old one deleted after the row moved). Completion, after the digest was checked, uploads the tail as the last part
/// (server-side copy) and completes the multipart upload; from a temporary key the object is then copied to its
/// content address (a server-side copy of the whole blob: 1–3 s per GiB on radosgw, which a named digest saves). An
/// incomplete multipart upload is invisible to readers, so staging at the content address shows nothing unverified.
/// </summary>
internal sealed class S3UploadStaging(IS3MultipartStaging s3) : IUploadStaging
{
    /// <summary>
    /// Full parts uploaded at once while the next is received. radosgw spends about 0.15 s on each part beyond its
    /// bytes; with one part at a time a two-node cluster stored 32 MB/s, with two 50 MB/s (16 MiB parts, bluestore on
    /// the same 2 cores; docs/benchmarks.md, "Scale-out").
    /// </summary>
    public const int PartsInFlight = 2;

    /// <summary>
    /// Part buffers, kept apart from <see cref="ArrayPool{T}.Shared"/>: that pool keeps one array per thread that
    /// returned one, and part buffers are returned from whichever pool thread finished the part, so a node held many
    /// idle 16 MiB arrays after one upload. This pool keeps at most one session's set per size.
    /// </summary>
    private static readonly ArrayPool<byte> PartBuffers = ArrayPool<byte>.Create(1 << 30, PartsInFlight + 1);

    public async Task<string?> StartAsync(string id, BlobDigest? intended, CancellationToken cancellationToken)
    {
        var key = intended is { } digest ? s3.BlobKey(digest) : s3.SessionPrefix(id) + "data";
        var uploadId = await s3.StartMultipartAsync(key, cancellationToken);
        return new S3StagingState { UploadId = uploadId, Key = key, PartSize = s3.PartSize, Digest = intended?.ToString() }.ToJson();
    }

    public Task<bool> CheckAsync(UploadRow row, CancellationToken cancellationToken)
    {
        if (!S3StagingState.TryParse(row.Staging, out var state))
        {
            return Task.FromResult(false);
        }

        var tail = row.Received - state.PartBytes;
        return Task.FromResult(tail >= 0 && tail < state.PartSize && (tail == 0) == (state.Tail is null));
    }

    /// <summary>Parts of an unfinished multipart upload cannot be read back, so there is nothing to re-hash.</summary>
    public Task<(ResumableSha256 Hash, long Received)?> RehashAsync(UploadRow row, CancellationToken cancellationToken) =>
        Task.FromResult<(ResumableSha256, long)?>(null);

    public async Task<IngestResult> AppendAsync(UploadRow row, Chunk chunk, ResumableSha256 hash, UploadCheckpoint checkpoint, CancellationToken cancellationToken)
    {
        var state = S3StagingState.Parse(row.Staging);
        var partSize = (int)state.PartSize;
        var buffer = PartBuffers.Rent(partSize);
        var free = new Stack<byte[]>();
        // Up to PartsInFlight full parts go up to S3 while the next one is received; each is recorded only after the
        // one before it (the offset never covers a gap), so at most PartsInFlight + 1 part buffers per upload.
        var inFlight = new Queue<(Task Recorded, byte[] Buffer)>();
        var recorded = Task.CompletedTask;
        try
        {
            // The bytes after the last full part were hashed when they arrived; they only rejoin the buffer.
            var filled = (int)(row.Received - state.PartBytes);
            if (filled > 0)
            {
                await ReadTailAsync(state.Tail!, buffer.AsMemory(0, filled));
            }

            var durableFilled = filled;
            var nextPart = state.Parts.Count + 1;
            long consumed = 0;
            Exception? failure = null;
            var ended = false;
            while (consumed < chunk.Length && failure is null && !ended)
            {
                var want = (int)Math.Min(partSize - filled, chunk.Length - consumed);
                var read = await BodyFill.FillAsync(chunk.Body, buffer.AsMemory(filled, want), cancellationToken);
                hash.Append(buffer.AsSpan(filled, read.Filled));
                filled += read.Filled;
                consumed += read.Filled;
                (failure, ended) = (read.Failure, read.Ended);
                if (filled == partSize)
                {
                    if (inFlight.Count == PartsInFlight)
                    {
                        // The oldest part first (a failure of any part before it surfaces here too).
                        var (oldest, spare) = inFlight.Dequeue();
                        try
                        {
                            await oldest;
                        }
                        finally
                        {
                            free.Push(spare);
                        }
                    }

                    // On the pool: the SDK signs (hashes) the part before its first await.
                    var (full, number, boundary, previous) = (buffer, nextPart++, hash.ExportState(), recorded);
                    recorded = Task.Run(() => StorePartAsync(full, number, boundary, previous), CancellationToken.None);
                    inFlight.Enqueue((recorded, full));
                    buffer = free.Count > 0 ? free.Pop() : PartBuffers.Rent(partSize);
                    filled = 0;
                    durableFilled = 0;
                }
            }

            await recorded;
            if (filled > durableFilled)
            {
                var received = state.PartBytes + filled;
                var tailKey = s3.SessionPrefix(row.Id) + "tail-" + received.ToString(CultureInfo.InvariantCulture);
                // Storage calls ignore the request's token: bytes that arrived are kept even if the client left.
                await s3.PutObjectAsync(tailKey, buffer, filled, CancellationToken.None);
                var oldTail = state.Tail;
                state = state with { Tail = tailKey };
                await checkpoint(received, state.ToJson(), hash.ExportState(), CancellationToken.None);
                await DeleteQuietlyAsync(oldTail);
            }

            var tooLong = failure is null && !ended && consumed == chunk.Length && await HasMoreAsync(chunk.Body, cancellationToken);
            return new IngestResult(consumed, failure is not null ? IngestEnd.Failed : tooLong ? IngestEnd.TooLong : IngestEnd.Completed, failure);
        }
        finally
        {
            // Never hand a buffer back to the pool while a part upload may still read it.
            foreach (var (part, used) in inFlight)
            {
                await part.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
                PartBuffers.Return(used);
            }

            PartBuffers.Return(buffer);
            foreach (var unused in free)
            {
                PartBuffers.Return(unused);
            }
        }

        async Task StorePartAsync(byte[] bytes, int number, byte[]? hashState, Task previous)
        {
            var etag = await s3.UploadPartAsync(state.Key, state.UploadId, number, bytes.AsMemory(0, partSize), CancellationToken.None);
            // Recorded in order: a part whose predecessor failed is uploaded but never counted (uploaded again later).
            await previous;
            var oldTail = state.Tail;
            state = state with { Parts = [.. state.Parts, etag], Tail = null };
            await checkpoint(state.PartBytes, state.ToJson(), hashState, CancellationToken.None);
            await DeleteQuietlyAsync(oldTail);
        }
    }

    public async Task<BlobPutResult> CommitAsync(UploadRow row, BlobDigest digest, CancellationToken cancellationToken)
    {
        var state = S3StagingState.Parse(row.Staging);
        if (state.Digest is { } named && named != digest.ToString())
        {
            // The parts sit at another blob's address: completing them would store these bytes under a digest they
            // do not have. The session is discarded by the caller.
            throw new StagedForAnotherDigestException(named);
        }

        if (row.Received == 0)
        {
            // A multipart upload needs at least one part; the empty blob is a plain put.
            return await s3.PutAsync(Stream.Null, digest, 0, cancellationToken);
        }

        if (state.Digest is not null && await s3.HeadAsync(state.Key, cancellationToken) is { } held && held.Size == row.Received)
        {
            // Stored already (by another session, or by an earlier attempt of this one that died before answering):
            // left as it is; this session's multipart upload is aborted when the caller discards the session.
            return new BlobPutResult(BlobPutOutcome.AlreadyExists, digest, row.Received);
        }

        var parts = state.Parts.Select((etag, index) => new PartETag(index + 1, etag)).ToList();
        if (state.Tail is { } tail)
        {
            // The last part may be short; copied server-side, the tail bytes do not pass through this node again.
            var number = parts.Count + 1;
            var etag = await s3.CopyPartAsync(tail, state.Key, state.UploadId, number, cancellationToken);
            parts.Add(new PartETag(number, etag));
        }

        try
        {
            await s3.CompleteAsync(state.Key, state.UploadId, parts, cancellationToken);
        }
        catch (Exception ex) when (ex is StorageUnavailableException or AmazonS3Exception { StatusCode: HttpStatusCode.NotFound })
        {
            // NoSuchUpload (404, or another 4xx from some stores): an earlier attempt completed it and died before
            // the copy (or, at a content address, before answering); the object below tells. Anything else is the
            // store failing: rethrow.
            if (await s3.HeadAsync(state.Key, cancellationToken) is not { } done || done.Size != row.Received)
            {
                throw ex is StorageUnavailableException ? ex : new StorageUnavailableException($"S3 upload {state.Key} is gone before completion.", ex);
            }
        }

        if (await s3.HeadAsync(state.Key, cancellationToken) is not { } staged || staged.Size != row.Received)
        {
            throw new StorageUnavailableException($"S3 object {state.Key} should hold {row.Received} bytes after completing the upload but does not.");
        }

        return state.Digest is null
            ? await s3.CommitStagedAsync(state.Key, digest, row.Received, cancellationToken)
            : new BlobPutResult(BlobPutOutcome.Created, digest, row.Received);
    }

    public async Task DiscardAsync(UploadRow row, CancellationToken cancellationToken)
    {
        if (S3StagingState.TryParse(row.Staging, out var state))
        {
            try
            {
                await s3.AbortMultipartAsync(state.Key, state.UploadId, cancellationToken);
            }
            catch (AmazonS3Exception ex) when (ex.StatusCode == HttpStatusCode.NotFound)
            {
                // Already completed or aborted.
            }
        }

        // Tails (also ones a crash left unrecorded) and a completed temporary object.
        var keys = new List<string>();
        await foreach (var key in s3.ListKeysAsync(s3.SessionPrefix(row.Id), cancellationToken))
        {
            keys.Add(key);
        }

        foreach (var key in keys)
        {
            await s3.DeleteAsync(key, cancellationToken);
        }
    }

    public long SizeOf(UploadRow row) => row.Received;

    /// <summary>
    /// Nothing at start: nodes share the bucket, so "no row names it" is not knowable from one node's view while
    /// others create sessions. A bucket lifecycle rule (AbortIncompleteMultipartUpload) sweeps what a crash left.
    /// </summary>
    public int DeleteOrphans(IReadOnlySet<string> knownIds) => 0;

    private async Task ReadTailAsync(string key, Memory<byte> into)
    {
        await using var stream = await s3.OpenRangeAsync(key, 0, into.Length, CancellationToken.None);
        var read = await BodyFill.FillAsync(stream, into, CancellationToken.None);
        if (read.Filled != into.Length)
        {
            throw new StorageUnavailableException($"S3 tail object {key} holds {read.Filled} bytes, not the recorded {into.Length}.", read.Failure);
        }
    }

    private async Task DeleteQuietlyAsync(string? key)
    {
        if (key is null)
        {
            return;
        }

        try
        {
            await s3.DeleteAsync(key, CancellationToken.None);
        }
        catch (StorageUnavailableException)
        {
            // An unrecorded leftover under the session's prefix; deleted with the session.
        }
    }

    /// <summary>One byte more than declared proves the body too long (the declared bytes were kept).</summary>
    private static async Task<bool> HasMoreAsync(Stream body, CancellationToken cancellationToken)
    {
        var probe = new byte[1];
        var read = await BodyFill.FillAsync(body, probe, cancellationToken);
        return read.Filled > 0;
    }
}
