using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using Aar.Protocol.Http;

namespace Aar.Protocol.Registry;

public sealed partial class RegistryClient
{
    /// <summary>
    /// Uploads <paramref name="content"/> (seekable) by difference when that pays: asks the registry which of the
    /// package's <paramref name="chunks"/> it already holds (in any blob), sends only the others and has the registry
    /// copy the rest into the same resumable upload session; the registry verifies the whole SHA-256 at the end, as for
    /// any upload. Goes whole (<see cref="UploadBlobAsync"/>) for a small package, when little is held, when the
    /// registry has no chunk lookup, or when the assembled blob did not verify (a damaged source on the registry).
    /// </summary>
    public async Task<ApiResult<UploadOutcome>> UploadDeltaAsync(Stream content, BlobDigest digest, long size, IReadOnlyList<PackageChunk> chunks, DeltaPolicy? policy = null, UploadOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(content);
        ArgumentNullException.ThrowIfNull(chunks);
        policy ??= new DeltaPolicy();
        options ??= new UploadOptions();
        var existing = await FindBlobAsync(digest, cancellationToken);
        if (existing.Succeeded)
        {
            options.Progress?.Report(size);
            return ApiResult.Ok(new UploadOutcome { Blob = existing.Value!, SentBytes = 0, ReusedBytes = 0 });
        }

        if (size >= policy.MinimumBytes && chunks.Count > 0 && !await SampleSaysWholeAsync(chunks, policy, cancellationToken))
        {
            var plan = await PlanDeltaAsync(size, chunks, policy, cancellationToken);
            if (plan is not null && plan.Reused >= policy.MinimumReuse * size)
            {
                if (policy.FineChunks)
                {
                    plan.Overhead += await RefineAsync(content, plan, policy, cancellationToken);
                }

                var delta = await SendDeltaAsync(content, digest, size, plan, policy, options, cancellationToken);
                if (delta.Succeeded || delta.Problem!.Type != ProblemTypes.DigestMismatch)
                {
                    return delta;
                }
            }
        }

        var sent = new SentBytes();
        content.Position = 0;
        var result = await UploadWholeAsync(content, digest, size, options, sent, cancellationToken);
        return result.Succeeded
            ? ApiResult.Ok(new UploadOutcome { Blob = result.Value!, SentBytes = sent.Bytes, ReusedBytes = 0 })
            : ApiResult.Failed<UploadOutcome>(result.Problem!);
    }

    /// <summary>How many bytes of <paramref name="chunks"/> the registry holds, in any blob; null when it cannot say.</summary>
    public async Task<long?> HeldBytesAsync(IReadOnlyList<PackageChunk> chunks, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(chunks);
        var size = chunks.Count == 0 ? 0 : chunks[^1].Offset + chunks[^1].Length;
        return (await PlanDeltaAsync(size, chunks, new DeltaPolicy(), cancellationToken))?.Reused;
    }

    /// <summary>
    /// True when a lookup of <see cref="DeltaPolicy.SampleChunks"/> chunks spread over the package finds less than half
    /// of <see cref="DeltaPolicy.MinimumReuse"/> of their bytes held: the package is as good as fresh, so the full
    /// lookup is skipped. False for a package with few chunks (the full lookup is as cheap) or when the sample fails.
    /// </summary>
    private async Task<bool> SampleSaysWholeAsync(IReadOnlyList<PackageChunk> chunks, DeltaPolicy policy, CancellationToken cancellationToken)
    {
        var count = policy.SampleChunks;
        if (count <= 0 || chunks.Count < count * 4)
        {
            return false;
        }

        var body = new byte[count * 32];
        long asked = 0;
        for (var i = 0; i < count; i++)
        {
            var chunk = chunks[(int)((long)i * chunks.Count / count)];
            chunk.Hash.Span.CopyTo(body.AsSpan(i * 32, 32));
            asked += chunk.Length;
        }

        var matches = await LookupAsync(body, cancellationToken);
        if (!matches.Succeeded)
        {
            return false;
        }

        // Sampled chunks are never neighbours, so each run is one chunk; a length is only summed, never trusted further.
        var held = matches.Value!.Runs.Sum(r => Math.Clamp(r.Length, 0, int.MaxValue));
        return held < asked * policy.MinimumReuse / 2;
    }

    /// <summary>One <c>POST /1.0/chunks/lookup</c> of concatenated 32-byte chunk hashes.</summary>
    private Task<ApiResult<ChunkMatches>> LookupAsync(byte[] hashes, CancellationToken cancellationToken)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, RegistryRoutes.ChunkLookup) { Content = new ByteArrayContent(hashes) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        return SendAsync(request, RegistryReadJsonContext.Default.ChunkMatches, cancellationToken);
    }

    /// <summary>Asks which chunks the registry holds; null when it cannot say (no lookup route, or it failed).</summary>
    private async Task<DeltaPlan?> PlanDeltaAsync(long size, IReadOnlyList<PackageChunk> chunks, DeltaPolicy policy, CancellationToken cancellationToken)
    {
        var segments = new List<DeltaSegment>();
        var sizes = new Dictionary<string, long>(StringComparer.Ordinal);
        long overhead = 0;
        long covered = 0;
        for (var from = 0; from < chunks.Count; from += policy.LookupBatch)
        {
            var count = Math.Min(policy.LookupBatch, chunks.Count - from);
            var body = new byte[count * 32];
            for (var i = 0; i < count; i++)
            {
                chunks[from + i].Hash.Span.CopyTo(body.AsSpan(i * 32, 32));
            }

            overhead += body.Length;
            var matches = await LookupAsync(body, cancellationToken);
            if (!matches.Succeeded)
            {
                return null;
            }

            if (matches.Value!.Sizes is { } named && named.Count == matches.Value.Blobs.Count)
            {
                for (var i = 0; i < named.Count; i++)
                {
                    sizes.TryAdd(matches.Value.Blobs[i], named[i]);
                }
            }

            foreach (var run in matches.Value.Runs)
            {
                if (run.First < 0 || run.Count < 1 || run.First + run.Count > count || run.Blob < 0 || run.Blob >= matches.Value.Blobs.Count)
                {
                    return null;
                }

                var first = chunks[from + run.First];
                var last = chunks[from + run.First + run.Count - 1];
                var start = first.Offset;
                var length = last.Offset + last.Length - start;
                if (start < covered || length != run.Length)
                {
                    // Not an answer this client can use (overlapping or mis-sized runs): go whole.
                    return null;
                }

                if (start > covered)
                {
                    segments.Add(new DeltaSegment(covered, start - covered, null, 0));
                }

                segments.Add(new DeltaSegment(start, length, matches.Value.Blobs[run.Blob], run.Offset));
                covered = start + length;
            }
        }

        if (covered < size)
        {
            segments.Add(new DeltaSegment(covered, size - covered, null, 0));
        }

        return new DeltaPlan(segments, segments.Where(s => s.Blob is not null).Sum(s => s.Length), overhead) { BlobSizes = sizes };
    }

    private async Task<ApiResult<UploadOutcome>> SendDeltaAsync(Stream content, BlobDigest digest, long size, DeltaPlan plan, DeltaPolicy policy, UploadOptions options, CancellationToken cancellationToken)
    {
        // The registry indexes what it assembles, so a client's download by difference finds the index at once.
        options = options with { IndexChunks = true };
        var session = options.ResumeSessionId is { } resume ? await GetUploadAsync(resume, cancellationToken) : await StartSessionAsync(digest, options, cancellationToken);
        if (session.Problem?.Type is ProblemTypes.UploadExpired or ProblemTypes.UploadUnknown)
        {
            session = await StartSessionAsync(digest, options, cancellationToken);
        }

        if (!session.Succeeded)
        {
            return ApiResult.Failed<UploadOutcome>(session.Problem!);
        }

        var upload = new UploadState(digest, session.Value!.Id, session.Value.Offset, new SentBytes());
        var staged = await StageSentPiecesAsync(content, plan, policy, options, upload.Sent, cancellationToken);
        long reused = 0;
        long overhead = plan.Overhead;
        while (true)
        {
            try
            {
                ApiResult<BlobDescriptor>? result;
                if (upload.Offset >= size)
                {
                    result = await SendAsync(
                        new HttpRequestMessage(HttpMethod.Put, $"{RegistryRoutes.Upload(upload.Id)}?digest={digest}&size={size.ToString(CultureInfo.InvariantCulture)}"),
                        RegistryReadJsonContext.Default.BlobDescriptor,
                        cancellationToken,
                        workBytes: size);
                }
                else
                {
                    var at = plan.IndexOf(upload.Offset);
                    var segment = plan.Segments[at];
                    if (segment.Blob is null)
                    {
                        result = await SendChunkAsync(upload, content, segment.End, options, cancellationToken);
                    }
                    else
                    {
                        var before = upload.Offset;
                        (result, var requestBytes) = await SendCopyAsync(upload, plan, at, policy, options, cancellationToken);
                        overhead += requestBytes;
                        // Bytes copied from the staged sent pieces were sent, not reused.
                        reused += Math.Max(0, upload.Offset - before - plan.BytesFrom(staged, before, upload.Offset));
                        options.Reused?.Report(reused);
                    }
                }

                if (result is not null)
                {
                    return result.Succeeded
                        ? ApiResult.Ok(new UploadOutcome { Blob = result.Value!, SentBytes = upload.Sent.Bytes, ReusedBytes = reused, OverheadBytes = overhead, Delta = true })
                        : ApiResult.Failed<UploadOutcome>(result.Problem!);
                }
            }
            catch (Exception ex) when (ex is HttpRequestException or WriteStalledException && ++upload.Failures < options.MaxAttempts)
            {
                await Task.Delay(options.RetryDelay * (1 << Math.Min(upload.Failures - 1, 6)), cancellationToken);
                if (await RecoverAsync(upload, digest, options, cancellationToken) is { } finished)
                {
                    return finished.Succeeded
                        ? ApiResult.Ok(new UploadOutcome { Blob = finished.Value!, SentBytes = upload.Sent.Bytes, ReusedBytes = reused, OverheadBytes = overhead, Delta = true })
                        : ApiResult.Failed<UploadOutcome>(finished.Problem!);
                }
            }
        }
    }

    private const long StagedChunkSize = 8L << 20;

    /// <summary>
    /// When the plan has <see cref="DeltaPolicy.StageSentFrom"/> pieces to send or more, uploads them (read from
    /// <paramref name="content"/> in place) as one blob and turns them into copies from it, so the package is then
    /// assembled by copy requests alone. Returns that blob's digest, or null when nothing was staged: too few pieces,
    /// or the blob upload failed (the pieces are then sent one by one, as without staging).
    /// </summary>
    private async Task<string?> StageSentPiecesAsync(Stream content, DeltaPlan plan, DeltaPolicy policy, UploadOptions options, SentBytes sent, CancellationToken cancellationToken)
    {
        var pieces = plan.Segments.Where(s => s.Blob is null).Select(s => (s.Start, s.Length)).ToList();
        if (policy.StageSentFrom <= 0 || pieces.Count < policy.StageSentFrom)
        {
            return null;
        }

        var joined = new StreamSegments(content, pieces);
        BlobDigest digest;
        using (var sha256 = IncrementalHash.CreateHash(HashAlgorithmName.SHA256))
        {
            var buffer = new byte[1 << 20];
            int read;
            while ((read = await joined.ReadAsync(buffer, cancellationToken)) > 0)
            {
                sha256.AppendData(buffer, 0, read);
            }

            digest = BlobDigest.FromHash(sha256.GetHashAndReset());
        }

        joined.Position = 0;
        // Its own session, with the same chunking and retries, that the caller records beside the package's to resume
        // both after its own restart. A recorded session that held other pieces (the plan changed meanwhile) ends in
        // a digest mismatch, and the pieces are then sent between the copies instead.
        var stagedOptions = new UploadOptions
        {
            // Sent between the copies, each piece was a request of its own, so a registry crash lost at most one; in
            // chunks of 8 MiB (an fsync and a checkpoint each) it loses at most 8 MiB of them, not up to 64.
            ChunkSize = Math.Min(options.ChunkSize, StagedChunkSize),
            MaxAttempts = options.MaxAttempts,
            RetryDelay = options.RetryDelay,
            ResumeSessionId = options.ResumeStagedSessionId,
            OnSessionStarted = options.OnStagedSessionStarted,
        };
        var uploaded = await UploadWholeAsync(joined, digest, joined.Length, stagedOptions, sent, cancellationToken);
        if (!uploaded.Succeeded)
        {
            return null;
        }

        var name = digest.ToString();
        var k = 0;
        for (var i = 0; i < plan.Segments.Count; i++)
        {
            if (plan.Segments[i].Blob is null)
            {
                plan.Segments[i] = plan.Segments[i] with { Blob = name, BlobOffset = joined.StartOf(k++) };
            }
        }

        return name;
    }

    /// <summary>
    /// Asks the registry to append the copy segments from <paramref name="at"/> on (the first one from the session's
    /// offset), up to the next segment to send. A source the registry no longer holds turns its segments into sent ones.
    /// </summary>
    private async Task<(ApiResult<BlobDescriptor>? Result, long RequestBytes)> SendCopyAsync(UploadState upload, DeltaPlan plan, int at, DeltaPolicy policy, UploadOptions options, CancellationToken cancellationToken)
    {
        var ranges = new List<BlobRange>();
        for (var i = at; i < plan.Segments.Count && plan.Segments[i].Blob is { } blob && ranges.Count < policy.CopyBatch; i++)
        {
            var segment = plan.Segments[i];
            var skip = i == at ? upload.Offset - segment.Start : 0;
            ranges.Add(new BlobRange { Blob = blob, Offset = segment.BlobOffset + skip, Length = segment.Length - skip });
        }

        var copy = new UploadCopyRequest { Offset = upload.Offset, Ranges = ranges };
        using var request = new HttpRequestMessage(HttpMethod.Post, RegistryRoutes.UploadCopy(upload.Id))
        {
            Content = JsonContent.Create(copy, ProtocolJsonContext.Default.UploadCopyRequest),
        };
        await request.Content.LoadIntoBufferAsync(cancellationToken);
        var requestBytes = request.Content.Headers.ContentLength ?? 0;
        using var response = await SendWriteAsync(request, ranges.Sum(r => r.Length), cancellationToken);
        if (response.IsSuccessStatusCode)
        {
            upload.Offset = Offset(response) ?? upload.Offset;
            upload.Failures = 0;
            options.Progress?.Report(upload.Offset);
            return (null, requestBytes);
        }

        var problem = await ApiResponses.ReadProblemAsync(response, Options.IdleTimeout, cancellationToken);
        if (problem.Type == ProblemTypes.CopySourceUnknown)
        {
            // Collected since the lookup: send those bytes instead (every segment of a blob that is gone).
            plan.SendInstead(ranges.Select(r => r.Blob).ToHashSet(StringComparer.Ordinal));
            return (null, requestBytes);
        }

        return (await RetryAfterAsync(upload, problem, options, cancellationToken), requestBytes);
    }

    /// <summary>The package as segments in order: copy from a stored blob (<see cref="DeltaSegment.Blob"/> set) or send.</summary>
    private sealed class DeltaPlan(List<DeltaSegment> segments, long reused, long overhead)
    {
        public List<DeltaSegment> Segments { get; } = segments;

        public long Reused { get; } = reused;

        /// <summary>The sizes of the blobs the lookups named, where the registry said (only ever used to ask it for a range).</summary>
        public Dictionary<string, long> BlobSizes { get; init; } = [];

        /// <summary>Bytes of lookups and fine signatures so far (copy requests are counted as they are sent).</summary>
        public long Overhead { get; set; } = overhead;

        public int IndexOf(long offset)
        {
            var (low, high) = (0, Segments.Count - 1);
            while (low < high)
            {
                var middle = (low + high + 1) / 2;
                if (Segments[middle].Start <= offset)
                {
                    low = middle;
                }
                else
                {
                    high = middle - 1;
                }
            }

            return low;
        }

        /// <summary>Bytes of [<paramref name="from"/>, <paramref name="to"/>) that copy from <paramref name="blob"/> (0 when it is null).</summary>
        public long BytesFrom(string? blob, long from, long to)
        {
            long bytes = 0;
            for (var i = blob is null || to <= from ? Segments.Count : IndexOf(from); i < Segments.Count && Segments[i].Start < to; i++)
            {
                if (string.Equals(Segments[i].Blob, blob, StringComparison.Ordinal))
                {
                    bytes += Math.Min(to, Segments[i].End) - Math.Max(from, Segments[i].Start);
                }
            }

            return bytes;
        }

        /// <summary>Turns every copy from <paramref name="blobs"/> into a send (one of them is no longer stored).</summary>
        public void SendInstead(HashSet<string> blobs)
        {
            for (var i = 0; i < Segments.Count; i++)
            {
                if (Segments[i].Blob is { } blob && blobs.Contains(blob))
                {
                    Segments[i] = Segments[i] with { Blob = null };
                }
            }
        }
    }

    private sealed record DeltaSegment(long Start, long Length, string? Blob, long BlobOffset)
    {
        public long End => Start + Length;
    }
}
