using System.Buffers;
using System.Net;
using System.Net.Http.Headers;
using System.Runtime.ExceptionServices;
using System.Security.Cryptography;
using Aar.Protocol.Chunking;
using Aar.Protocol.Http;
using Aar.IO;

namespace Aar.Protocol.Registry;

public sealed partial class RegistryClient
{
    /// <summary>
    /// Downloads a blob into <paramref name="destinationPath"/>, continuing a partial file with a Range request
    /// (also after a network cut mid-stream), and verifies size and SHA-256 of the whole file at the end. A verified
    /// file is fsynced before this returns; a file that fails verification is emptied.
    /// </summary>
    /// <remarks>
    /// Network errors are retried <paramref name="maxAttempts"/> times with a delay that starts at
    /// <paramref name="retryDelay"/> (default 1 s) and doubles; after that the last <see cref="HttpRequestException"/>
    /// or <see cref="IOException"/> is thrown, the partial file kept for the next call. A read that brings nothing
    /// for <see cref="RegistryClientOptions.IdleTimeout"/> counts as such an error (<see cref="IdleTimeoutException"/>).
    /// With <paramref name="expectedSize"/> (the size the listing announced), a body that would make the file larger
    /// is refused before its excess is written: the file is emptied and a <c>size-mismatch</c> problem returned.
    /// With <paramref name="indexed"/>, the file's chunk index (<see cref="ChunkParameters.Default"/>) is computed in
    /// the same pass as its SHA-256 and handed over once the file is verified: indexing it afterwards would read and
    /// hash the whole file a second time (a quarter of an AMS's CPU for a 1 GiB download, measured).
    /// </remarks>
    public async Task<ApiResult<BlobDescriptor>> DownloadBlobAsync(BlobDigest digest, string destinationPath, int maxAttempts = 5, IProgress<long>? progress = null, TimeSpan? retryDelay = null, long? expectedSize = null, Action<ChunkIndex>? indexed = null, CancellationToken cancellationToken = default)
    {
        var limit = expectedSize ?? long.MaxValue;
        using var hash = new DownloadHash(indexed is not null);
        await using var file = new FileStream(destinationPath, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, 1, FileOptions.SequentialScan);
        var buffer = ArrayPool<byte>.Shared.Rent(FileWrites.BatchSize);
        try
        {
            // Bytes already on disk are hashed once; the download appends to them.
            int read;
            while ((read = await file.ReadAsync(buffer.AsMemory(0, FileWrites.BatchSize), cancellationToken)) > 0)
            {
                hash.Append(buffer.AsSpan(0, read));
            }

            if (file.Length > limit)
            {
                // Left by an earlier, bigger announcement: it cannot be the start of this blob.
                file.SetLength(0);
                hash.Reset();
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
                    var (followed, refused) = await SendFollowingRedirectsAsync(request, cancellationToken);
                    if (refused is not null)
                    {
                        return ApiResult.Failed<BlobDescriptor>(refused);
                    }

                    using var response = followed!;
                    if (response.StatusCode == HttpStatusCode.RequestedRangeNotSatisfiable && response.Content.Headers.ContentRange?.Length == file.Length)
                    {
                        break;
                    }

                    if (!response.IsSuccessStatusCode)
                    {
                        return ApiResult.Failed<BlobDescriptor>(await ApiResponses.ReadProblemAsync(response, Options.IdleTimeout, cancellationToken));
                    }

                    if (response.StatusCode == HttpStatusCode.OK && file.Length > 0)
                    {
                        // The server ignored the range: start over.
                        file.SetLength(0);
                        hash.Reset();
                    }

                    if (file.Length + response.Content.Headers.ContentLength > limit)
                    {
                        return await TooLargeAsync(file, hash, digest, limit, $"announced {file.Length + response.Content.Headers.ContentLength} bytes in its Content-Length; nothing of it was written", cancellationToken);
                    }

                    await using var body = new GuardedReadStream(await response.Content.ReadAsStreamAsync(cancellationToken), $"GET {RegistryRoutes.Blob(digest)}", long.MaxValue, Options.IdleTimeout);
                    // Hash and write on other cores while the next batch is received and decrypted.
                    await using var writer = new PipelinedFileWriter(file.SafeFileHandle, file.Length, data => hash.Append(data));
                    while (true)
                    {
                        // At most one byte past the announced size is read, so an oversized body is noticed at once.
                        var room = limit - writer.SubmittedOffset;
                        var slice = room < writer.Buffer.Length ? writer.Buffer[..(int)(room + 1)] : writer.Buffer;
                        var (filled, error) = await ReadBatchAsync(body, slice, cancellationToken);
                        if (filled > room)
                        {
                            await writer.CompleteAsync();
                            return await TooLargeAsync(file, hash, digest, limit, $"kept sending after byte {limit}; the download was stopped there and the file emptied", cancellationToken);
                        }

                        await writer.SubmitAsync(filled);
                        if (filled > 0)
                        {
                            progress?.Report(writer.SubmittedOffset);
                        }

                        if (error is not null)
                        {
                            // What arrived before the cut is kept: the retry asks for the rest only.
                            await writer.CompleteAsync();
                            ExceptionDispatchInfo.Throw(error);
                        }

                        if (filled < slice.Length)
                        {
                            break;
                        }
                    }

                    await writer.CompleteAsync();
                    break;
                }
                catch (Exception ex) when (ex is HttpRequestException or IOException && attempt < maxAttempts && !cancellationToken.IsCancellationRequested)
                {
                    await file.FlushAsync(cancellationToken);
                    await Task.Delay((retryDelay ?? TimeSpan.FromSeconds(1)) * (1 << Math.Min(attempt - 1, 6)), cancellationToken);
                }
            }

            await file.FlushAsync(cancellationToken);
            var (actual, index) = hash.Finish();
            if (actual != digest)
            {
                var received = file.Length;
                file.SetLength(0);
                return ApiResult.Failed<BlobDescriptor>(new Problem { Type = ProblemTypes.DigestMismatch, Title = "Digest mismatch", Status = 0, Detail = $"The downloaded {received} bytes hash to {actual}, not {digest}; the file was emptied. Download again." });
            }

            // Durable before the caller records it (an AMS imports it as `ready`); the writer already sent most of
            // the bytes to the disk, so this waits for the last few MiB only.
            RandomAccess.FlushToDisk(file.SafeFileHandle);
            if (index is not null)
            {
                indexed!(index);
            }

            return ApiResult.Ok(new BlobDescriptor { Digest = digest.ToString(), Size = file.Length });
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static async Task<ApiResult<BlobDescriptor>> TooLargeAsync(FileStream file, DownloadHash hash, BlobDigest digest, long limit, string what, CancellationToken cancellationToken)
    {
        file.SetLength(0);
        await file.FlushAsync(cancellationToken);
        hash.Reset();
        return ApiResult.Failed<BlobDescriptor>(new Problem
        {
            Type = ProblemTypes.SizeMismatch,
            Title = "Blob larger than announced",
            Status = 0,
            Detail = $"The registry listed {digest} with {limit} bytes, but its download {what}.",
        });
    }

    /// <summary>
    /// Fills <paramref name="buffer"/> from a response body whose reads bring
    /// one TLS record each; stops early only at the end of the body or on a network error, which it returns with the
    /// bytes read before it so that the caller keeps them.
    /// </summary>
    private static async Task<(int Filled, Exception? Error)> ReadBatchAsync(Stream body, Memory<byte> buffer, CancellationToken cancellationToken)
    {
        var filled = 0;
        try
        {
            while (filled < buffer.Length)
            {
                var read = await body.ReadAsync(buffer[filled..], cancellationToken);
                if (read == 0)
                {
                    break;
                }

                filled += read;
            }

            return (filled, null);
        }
        catch (Exception ex) when (ex is HttpRequestException or IOException)
        {
            return (filled, ex);
        }
    }

    /// <summary>The SHA-256 of a download, and its chunk index in the same pass when asked for.</summary>
    private sealed class DownloadHash(bool index) : IDisposable
    {
        private IncrementalHash? _hash = index ? null : IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        private ChunkIndexBuilder? _builder = index ? new ChunkIndexBuilder() : null;

        public void Append(ReadOnlySpan<byte> data)
        {
            _hash?.AppendData(data);
            _builder?.Append(data);
        }

        /// <summary>Forgets everything appended (the file was emptied).</summary>
        public void Reset()
        {
            _hash?.GetHashAndReset();
            if (_builder is not null)
            {
                _builder.Dispose();
                _builder = new ChunkIndexBuilder();
            }
        }

        public (BlobDigest Digest, ChunkIndex? Index) Finish()
        {
            if (_builder is not null)
            {
                var completed = _builder.Complete();
                return (completed.Digest, completed);
            }

            return (BlobDigest.FromHash(_hash!.GetHashAndReset()), null);
        }

        public void Dispose()
        {
            _hash?.Dispose();
            _builder?.Dispose();
        }
    }
}
