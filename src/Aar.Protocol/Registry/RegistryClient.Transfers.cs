using System.Globalization;
using System.Net.Http.Headers;
using Aar.Protocol.Http;

namespace Aar.Protocol.Registry;

public sealed partial class RegistryClient
{
    /// <summary>
    /// Uploads <paramref name="content"/> (seekable) unless the registry already has it (one HEAD). Sends chunks with
    /// Content-Range through an upload session; after a network error, a 416 or a broken chunk it asks the server
    /// for its offset and continues from there, so a cut costs at most one chunk; a session the registry expired or
    /// lost is replaced by a new one. Finishes with the digest, which the server verifies.
    /// </summary>
    public Task<ApiResult<BlobDescriptor>> UploadBlobAsync(Stream content, BlobDigest digest, long size, UploadOptions? options = null, CancellationToken cancellationToken = default) =>
        UploadWholeAsync(content, digest, size, options, new SentBytes(), cancellationToken);

    private async Task<ApiResult<BlobDescriptor>> UploadWholeAsync(Stream content, BlobDigest digest, long size, UploadOptions? options, SentBytes sent, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(content);
        options ??= new UploadOptions();
        var existing = await FindBlobAsync(digest, cancellationToken);
        if (existing.Succeeded)
        {
            options.Progress?.Report(size);
            return existing;
        }

        var session = options.ResumeSessionId is { } resume ? await GetUploadAsync(resume, cancellationToken) : await StartSessionAsync(digest, options, cancellationToken);
        if (session.Problem?.Type is ProblemTypes.UploadExpired or ProblemTypes.UploadUnknown)
        {
            session = await StartSessionAsync(digest, options, cancellationToken);
        }

        if (!session.Succeeded)
        {
            return ApiResult.Failed<BlobDescriptor>(session.Problem!);
        }

        var upload = new UploadState(digest, session.Value!.Id, session.Value.Offset, sent);
        while (true)
        {
            try
            {
                var result = upload.Offset < size
                    ? await SendChunkAsync(upload, content, size, options, cancellationToken)
                    : await SendAsync(
                        new HttpRequestMessage(HttpMethod.Put, $"{RegistryRoutes.Upload(upload.Id)}?digest={digest}&size={size.ToString(CultureInfo.InvariantCulture)}"),
                        RegistryReadJsonContext.Default.BlobDescriptor,
                        cancellationToken,
                        workBytes: size);
                if (result is not null)
                {
                    return result;
                }
            }
            catch (Exception ex) when (ex is HttpRequestException or WriteStalledException && ++upload.Failures < options.MaxAttempts)
            {
                await Task.Delay(options.RetryDelay * (1 << Math.Min(upload.Failures - 1, 6)), cancellationToken);
                if (await RecoverAsync(upload, digest, options, cancellationToken) is { } finished)
                {
                    return finished;
                }
            }
        }
    }

    /// <summary>Sends one chunk; returns null to go on (the offset moved or must be re-read), or the final answer.</summary>
    private async Task<ApiResult<BlobDescriptor>?> SendChunkAsync(UploadState upload, Stream content, long size, UploadOptions options, CancellationToken cancellationToken)
    {
        var length = Math.Min(options.ChunkSize, size - upload.Offset);
        upload.Sent.Bytes += length;
        using var request = new HttpRequestMessage(HttpMethod.Patch, RegistryRoutes.Upload(upload.Id)) { Content = new ChunkContent(content, upload.Offset, length, options.Progress) };
        request.Content.Headers.ContentRange = new ContentRangeHeaderValue(upload.Offset, upload.Offset + length - 1);
        using var response = await SendWriteAsync(request, length, cancellationToken);
        if (response.IsSuccessStatusCode)
        {
            upload.Offset = Offset(response) ?? upload.Offset + length;
            upload.Failures = 0;
            return null;
        }

        var problem = await ApiResponses.ReadProblemAsync(response, Options.IdleTimeout, cancellationToken);
        return await RetryAfterAsync(upload, problem, options, cancellationToken);
    }

    /// <summary>After a refused chunk (or copy): null to go on from the offset the problem names, or the final answer.</summary>
    private async Task<ApiResult<BlobDescriptor>?> RetryAfterAsync(UploadState upload, Problem problem, UploadOptions options, CancellationToken cancellationToken)
    {
        var retryable = problem.Type is ProblemTypes.UploadExpired or ProblemTypes.UploadUnknown or ProblemTypes.UploadBusy
            || problem.Offset is not null && problem.Type is ProblemTypes.UploadOffsetMismatch or ProblemTypes.IncompleteBody or ProblemTypes.StorageUnavailable;
        if (!retryable || ++upload.Failures >= options.MaxAttempts)
        {
            return ApiResult.Failed<BlobDescriptor>(problem);
        }

        if (problem.Type == ProblemTypes.UploadBusy)
        {
            await Task.Delay(options.RetryDelay, cancellationToken);
        }

        if (problem.Type == ProblemTypes.StorageUnavailable)
        {
            // The registry's object store is down: back off as after a network error, then resume at the durable offset.
            await Task.Delay(options.RetryDelay * (1 << Math.Min(upload.Failures - 1, 6)), cancellationToken);
        }

        if (problem.Type is ProblemTypes.UploadExpired or ProblemTypes.UploadUnknown)
        {
            // The session was reclaimed (idle too long, or the registry lost it): start again from zero.
            var fresh = await StartSessionAsync(upload.Digest, options, cancellationToken);
            if (!fresh.Succeeded)
            {
                return ApiResult.Failed<BlobDescriptor>(fresh.Problem!);
            }

            (upload.Id, upload.Offset) = (fresh.Value!.Id, 0);
            return null;
        }

        upload.Offset = problem.Offset ?? upload.Offset;
        return null;
    }

    /// <summary>
    /// After a network error: asks the session for its offset. A session that is gone may mean the last request (the
    /// finishing PUT) went through, so the blob is looked for first; otherwise a new session starts. Returns the final
    /// answer when there is one, null to go on; if the registry is still unreachable, the next attempt counts.
    /// </summary>
    private async Task<ApiResult<BlobDescriptor>?> RecoverAsync(UploadState upload, BlobDigest digest, UploadOptions options, CancellationToken cancellationToken)
    {
        try
        {
            var status = await GetUploadAsync(upload.Id, cancellationToken);
            if (status.Succeeded)
            {
                upload.Offset = status.Value!.Offset;
                return null;
            }

            if (status.Problem!.Type is not (ProblemTypes.UploadUnknown or ProblemTypes.UploadExpired))
            {
                return ApiResult.Failed<BlobDescriptor>(status.Problem);
            }

            var found = await FindBlobAsync(digest, cancellationToken);
            if (found.Succeeded)
            {
                return found;
            }

            var fresh = await StartSessionAsync(digest, options, cancellationToken);
            if (!fresh.Succeeded)
            {
                return ApiResult.Failed<BlobDescriptor>(fresh.Problem!);
            }

            (upload.Id, upload.Offset) = (fresh.Value!.Id, 0);
            return null;
        }
        catch (Exception ex) when (ex is HttpRequestException or IdleTimeoutException)
        {
            return null;
        }
    }

    /// <summary>Starts a session and tells the caller its id (<see cref="UploadOptions.OnSessionStarted"/>), so it can resume after its own restart.</summary>
    private async Task<ApiResult<UploadSession>> StartSessionAsync(BlobDigest digest, UploadOptions options, CancellationToken cancellationToken)
    {
        var started = await SendAsync(
            new HttpRequestMessage(HttpMethod.Post, $"{RegistryRoutes.Uploads}?digest={digest}{(options.IndexChunks ? "&index=chunks" : "")}"),
            RegistryReadJsonContext.Default.UploadSession,
            cancellationToken);
        if (started.Succeeded && options.OnSessionStarted is { } notify)
        {
            await notify(started.Value!.Id);
        }

        return started;
    }

    /// <summary>Where an upload stands: what it sends, its session, the offset to send from, and consecutive failures.</summary>
    private sealed class UploadState(BlobDigest digest, string id, long offset, SentBytes sent)
    {
        public BlobDigest Digest { get; } = digest;

        public string Id { get; set; } = id;

        public long Offset { get; set; } = offset;

        public int Failures { get; set; }

        public SentBytes Sent { get; } = sent;
    }

    /// <summary>Bytes of chunk bodies sent (re-sent ones included): what an upload cost on the wire.</summary>
    private sealed class SentBytes
    {
        public long Bytes { get; set; }
    }

    /// <summary>
    /// Publishes a package file as a version: hashes it (streaming), uploads it unless the registry has it, then
    /// creates the version. Idempotent: publishing the same file again succeeds without a transfer.
    /// </summary>
    public async Task<ApiResult<ApplicationVersion>> PublishFileAsync(string name, string architecture, int version, string packagePath, System.Text.Json.JsonElement? manifest = null, IReadOnlyList<string>? tags = null, UploadOptions? options = null, CancellationToken cancellationToken = default)
    {
        await using var file = new FileStream(packagePath, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.SequentialScan);
        var digest = await BlobDigest.OfAsync(file, cancellationToken);
        var uploaded = await UploadBlobAsync(file, digest, file.Length, options, cancellationToken);
        if (!uploaded.Succeeded)
        {
            return ApiResult.Failed<ApplicationVersion>(uploaded.Problem!);
        }

        return await CreateVersionAsync(name, architecture, version, new CreateVersionRequest { Digest = digest.ToString(), Size = file.Length, Manifest = manifest, Tags = tags ?? [] }, cancellationToken);
    }

    private static long? Offset(HttpResponseMessage response) =>
        response.Headers.TryGetValues(RegistryRoutes.UploadOffsetHeader, out var values)
        && long.TryParse(values.FirstOrDefault(), NumberStyles.None, CultureInfo.InvariantCulture, out var offset) ? offset : null;
}
