using System.Buffers;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using Aar.Protocol.Http;

namespace Aar.Protocol.Registry;

public sealed partial class RegistryClient
{
    /// <summary>
    /// Uploads <paramref name="content"/> (seekable) unless the registry already has it (one HEAD). Sends chunks with
    /// Content-Range through an upload session; after a network error, a 416 or a broken chunk it asks the server
    /// for its offset and continues from there, so a cut costs at most one chunk. Finishes with the digest, which the
    /// server verifies.
    /// </summary>
    public async Task<ApiResult<BlobDescriptor>> UploadBlobAsync(Stream content, BlobDigest digest, long size, UploadOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(content);
        options ??= new UploadOptions();
        var existing = await FindBlobAsync(digest, cancellationToken);
        if (existing.Succeeded)
        {
            options.Progress?.Report(size);
            return existing;
        }

        var session = options.ResumeSessionId is { } resume ? await GetUploadAsync(resume, cancellationToken) : await StartUploadAsync(cancellationToken);
        if (!session.Succeeded)
        {
            return ApiResult.Failed<BlobDescriptor>(session.Problem!);
        }

        var id = session.Value!.Id;
        var offset = session.Value.Offset;
        if (options.ResumeSessionId is null && options.OnSessionStarted is { } started)
        {
            await started(id);
        }

        var failures = 0;
        while (offset < size)
        {
            var length = Math.Min(options.ChunkSize, size - offset);
            try
            {
                using var request = new HttpRequestMessage(HttpMethod.Patch, RegistryRoutes.Upload(id)) { Content = new ChunkContent(content, offset, length, options.Progress) };
                request.Content.Headers.ContentRange = new ContentRangeHeaderValue(offset, offset + length - 1);
                using var response = await http.SendAsync(request, cancellationToken);
                if (response.IsSuccessStatusCode)
                {
                    offset = Offset(response) ?? offset + length;
                    failures = 0;
                    continue;
                }

                var problem = await ApiResponses.ReadProblemAsync(response, cancellationToken);
                if (problem.Offset is not { } serverOffset || problem.Type is not (ProblemTypes.UploadOffsetMismatch or ProblemTypes.IncompleteBody or ProblemTypes.UploadBusy))
                {
                    return ApiResult.Failed<BlobDescriptor>(problem);
                }

                offset = serverOffset;
                if (problem.Type == ProblemTypes.UploadBusy)
                {
                    await Task.Delay(options.RetryDelay, cancellationToken);
                }
            }
            catch (HttpRequestException) when (++failures < options.MaxAttempts)
            {
                await Task.Delay(options.RetryDelay * (1 << Math.Min(failures - 1, 6)), cancellationToken);
                var status = await GetUploadAsync(id, cancellationToken);
                if (!status.Succeeded)
                {
                    return ApiResult.Failed<BlobDescriptor>(status.Problem!);
                }

                offset = status.Value!.Offset;
            }
        }

        return await SendAsync(
            new HttpRequestMessage(HttpMethod.Put, $"{RegistryRoutes.Upload(id)}?digest={digest}&size={size.ToString(CultureInfo.InvariantCulture)}"),
            ProtocolJsonContext.Default.BlobDescriptor,
            cancellationToken);
    }

    /// <summary>
    /// Downloads a blob into <paramref name="destinationPath"/>, continuing a partial file with a Range request
    /// (also after a network cut mid-stream), and verifies size and SHA-256 of the whole file at the end. A file that
    /// fails verification is emptied.
    /// </summary>
    public async Task<ApiResult<BlobDescriptor>> DownloadBlobAsync(BlobDigest digest, string destinationPath, int maxAttempts = 5, IProgress<long>? progress = null, CancellationToken cancellationToken = default)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        await using var file = new FileStream(destinationPath, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, 1, FileOptions.SequentialScan);
        var buffer = ArrayPool<byte>.Shared.Rent(1024 * 1024);
        try
        {
            // Bytes already on disk are hashed once; the download appends to them.
            int read;
            while ((read = await file.ReadAsync(buffer.AsMemory(0, 1024 * 1024), cancellationToken)) > 0)
            {
                hash.AppendData(buffer, 0, read);
            }

            for (var attempt = 1; ; attempt++)
            {
                using var request = new HttpRequestMessage(HttpMethod.Get, RegistryRoutes.Blob(digest));
                if (file.Length > 0)
                {
                    request.Headers.Range = new RangeHeaderValue(file.Length, null);
                }

                try
                {
                    using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
                    if (response.StatusCode == HttpStatusCode.RequestedRangeNotSatisfiable && response.Content.Headers.ContentRange?.Length == file.Length)
                    {
                        break;
                    }

                    if (!response.IsSuccessStatusCode)
                    {
                        return ApiResult.Failed<BlobDescriptor>(await ApiResponses.ReadProblemAsync(response, cancellationToken));
                    }

                    if (response.StatusCode == HttpStatusCode.OK && file.Length > 0)
                    {
                        // The server ignored the range: start over.
                        file.SetLength(0);
                        hash.GetHashAndReset();
                    }

                    await using var body = await response.Content.ReadAsStreamAsync(cancellationToken);
                    file.Position = file.Length;
                    while ((read = await body.ReadAsync(buffer.AsMemory(0, 1024 * 1024), cancellationToken)) > 0)
                    {
                        hash.AppendData(buffer, 0, read);
                        await file.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
                        progress?.Report(file.Length);
                    }

                    break;
                }
                catch (Exception ex) when (ex is HttpRequestException or IOException && attempt < maxAttempts && !cancellationToken.IsCancellationRequested)
                {
                    await file.FlushAsync(cancellationToken);
                }
            }

            await file.FlushAsync(cancellationToken);
            var actual = BlobDigest.FromHash(hash.GetHashAndReset());
            if (actual != digest)
            {
                var received = file.Length;
                file.SetLength(0);
                return ApiResult.Failed<BlobDescriptor>(new Problem { Type = ProblemTypes.DigestMismatch, Title = "Digest mismatch", Status = 0, Detail = $"The downloaded {received} bytes hash to {actual}, not {digest}; the file was emptied. Download again." });
            }

            return ApiResult.Ok(new BlobDescriptor { Digest = digest.ToString(), Size = file.Length });
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static long? Offset(HttpResponseMessage response) =>
        response.Headers.TryGetValues(RegistryRoutes.UploadOffsetHeader, out var values)
        && long.TryParse(values.FirstOrDefault(), NumberStyles.None, CultureInfo.InvariantCulture, out var offset) ? offset : null;
}
