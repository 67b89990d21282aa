using System.Net;
using Aar.Hosting;
using Aar.Protocol.Registry;
using Aar.Server.Problems;
using Amazon.Runtime;
using Amazon.S3.Model;
using Amazon.S3;

namespace Aar.Server.Storage.S3;

/// <summary>
/// One S3 client, the bucket, and the key layout under <c>--s3-prefix</c>:
/// <c>blobs/sha256/&lt;hex&gt;</c> (content-addressed, immutable), <c>touch/&lt;hex&gt;/&lt;unix-ms&gt;</c> (empty marker
/// named by the blob's last use) and <c>uploads/&lt;id&gt;/…</c> (an upload session's multipart target and tails).
/// </summary>
internal sealed class S3Connection : IDisposable
{
    public S3Connection(S3StorageOptions options)
    {
        Options = options;
        var credentials = options.Credentials ?? S3Credentials.FromEnvironment()
            ?? throw new StartupException("--blob-store s3 needs credentials: set AAR_S3_ACCESS_KEY and AAR_S3_SECRET_KEY in the environment.");
        var whenRequired = options.Checksum == "when-required";
        var config = new AmazonS3Config
        {
            ForcePathStyle = options.PathStyle,
            AuthenticationRegion = options.Region,
            // SDK v4 defaults (aws-chunked bodies with CRC32 trailers) fail on radosgw with XAmzContentSHA256Mismatch
            // and silently corrupt objects on some S3 look-alikes (seen with radosgw and other S3-compatible servers).
            RequestChecksumCalculation = whenRequired ? RequestChecksumCalculation.WHEN_REQUIRED : RequestChecksumCalculation.WHEN_SUPPORTED,
            ResponseChecksumValidation = whenRequired ? ResponseChecksumValidation.WHEN_REQUIRED : ResponseChecksumValidation.WHEN_SUPPORTED,
            // A few quick retries ride over a blip; a store that is down fails the request soon (503) instead of
            // holding the client for minutes.
            MaxErrorRetry = 2,
            Timeout = TimeSpan.FromSeconds(60),
        };
        if (!string.IsNullOrEmpty(options.Endpoint))
        {
            config.ServiceURL = options.Endpoint;
        }
        else
        {
            config.RegionEndpoint = Amazon.RegionEndpoint.GetBySystemName(options.Region);
        }

        Client = new AmazonS3Client(new BasicAWSCredentials(credentials.AccessKey, credentials.SecretKey), config);
    }

    public S3StorageOptions Options { get; }

    public IAmazonS3 Client { get; }

    public string Bucket => Options.Bucket;

    public string BlobsPrefix => Options.Prefix + "blobs/sha256/";

    public string TouchPrefix => Options.Prefix + "touch/";

    public string BlobKey(BlobDigest digest) => BlobsPrefix + digest.Hex;

    public string TouchKeyPrefix(BlobDigest digest) => TouchPrefix + digest.Hex + "/";

    public string UploadPrefix(string id) => Options.Prefix + "uploads/" + id + "/";

    /// <summary>
    /// Runs one S3 call and turns every way a store can fail (network, timeout, 5xx, access denied) into
    /// <see cref="StorageUnavailableException"/> with a sentence naming the call; the caller's own cancellation
    /// passes through (see <see cref="DetachedAsync{T}"/> for what it does not cancel). The message carries the
    /// store's error code, never the credentials.
    /// </summary>
    public Task<T> CallAsync<T>(string what, Func<CancellationToken, Task<T>> call, CancellationToken cancellationToken) =>
        RunAsync(what, token => DetachedAsync(call, token), cancellationToken);

    /// <summary>
    /// <see cref="CallAsync{T}"/> for a request whose body is read from the caller's memory (often a pooled buffer):
    /// it must have ended before the caller returns, so the caller's cancellation cancels the request itself.
    /// </summary>
    public Task<T> SendBodyAsync<T>(string what, Func<CancellationToken, Task<T>> call, CancellationToken cancellationToken) =>
        RunAsync(what, call, cancellationToken);

    private async Task<T> RunAsync<T>(string what, Func<CancellationToken, Task<T>> call, CancellationToken cancellationToken)
    {
        try
        {
            return await call(cancellationToken);
        }
        catch (AmazonS3Exception ex) when (ex.StatusCode is HttpStatusCode.NotFound or HttpStatusCode.PreconditionFailed)
        {
            throw;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (AmazonServiceException ex)
        {
            throw new StorageUnavailableException($"S3 {what} in bucket {Bucket} failed: {(int)ex.StatusCode} {ex.ErrorCode ?? ex.Message}", ex);
        }
        catch (Exception ex) when (ex is AmazonClientException or HttpRequestException or IOException or System.Net.Sockets.SocketException or OperationCanceledException)
        {
            throw new StorageUnavailableException($"S3 {what} in bucket {Bucket} failed: {Innermost(ex).Message}", ex);
        }
    }

    /// <summary>
    /// The caller stops waiting at once when cancelled, but the request itself runs to its end (bounded by the client's
    /// timeout) and whatever it returns is disposed. Cancelling the SDK in the middle of a response (a host stopping
    /// while a background listing or lookup was in flight) left the pooled connection in a state where the next
    /// request sent on it was answered on the wire but never completed in the client: it waited out the full 60 s
    /// timeout (seen in packet captures of the test suite on radosgw).
    /// </summary>
    private static async Task<T> DetachedAsync<T>(Func<CancellationToken, Task<T>> call, CancellationToken cancellationToken)
    {
        var request = call(CancellationToken.None);
        try
        {
            return await request.WaitAsync(cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            _ = request.ContinueWith(
                static finished =>
                {
                    if (finished.IsCompletedSuccessfully)
                    {
                        (finished.Result as IDisposable)?.Dispose();
                    }

                    // Observed, so a failure of a request nobody waits for does not surface as unobserved.
                    _ = finished.Exception;
                },
                CancellationToken.None,
                TaskContinuationOptions.ExecuteSynchronously,
                TaskScheduler.Default);
            throw;
        }
    }

    public Task CallAsync(string what, Func<CancellationToken, Task> call, CancellationToken cancellationToken) =>
        CallAsync<bool>(what, async token =>
        {
            await call(token);
            return true;
        }, cancellationToken);

    /// <summary>The object's size, or null when it does not exist.</summary>
    public async Task<(long Size, DateTimeOffset Modified)?> HeadAsync(string key, CancellationToken cancellationToken)
    {
        try
        {
            var head = await CallAsync("HEAD " + key, token => Client.GetObjectMetadataAsync(Bucket, key, token), cancellationToken);
            return (head.ContentLength, new DateTimeOffset(head.LastModified ?? DateTime.UtcNow, TimeSpan.Zero));
        }
        catch (AmazonS3Exception ex) when (ex.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }
    }

    /// <summary>Deletes an object; S3 answers success for a missing key too.</summary>
    public Task DeleteAsync(string key, CancellationToken cancellationToken) =>
        CallAsync("DELETE " + key, token => Client.DeleteObjectAsync(Bucket, key, token), cancellationToken);

    /// <summary>Every key under <paramref name="prefix"/>, page by page (ListObjectsV2, 1000 per page).</summary>
    public async IAsyncEnumerable<S3Object> ListAsync(string prefix, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        string? continuation = null;
        do
        {
            var request = new ListObjectsV2Request { BucketName = Bucket, Prefix = prefix, ContinuationToken = continuation };
            var page = await CallAsync("LIST " + prefix, token => Client.ListObjectsV2Async(request, token), cancellationToken);
            foreach (var item in page.S3Objects ?? [])
            {
                yield return item;
            }

            continuation = page.IsTruncated == true ? page.NextContinuationToken : null;
        }
        while (continuation is not null);
    }

    /// <summary>
    /// At start: the bucket must answer. Missing → created with <c>--s3-create-bucket</c>, otherwise a sentence
    /// saying how; unreachable or refused → one sentence naming the endpoint.
    /// </summary>
    public async Task EnsureBucketAsync(CancellationToken cancellationToken)
    {
        var where = string.IsNullOrEmpty(Options.Endpoint) ? $"AWS S3 ({Options.Region})" : Options.Endpoint;
        try
        {
            await Client.HeadBucketAsync(new HeadBucketRequest { BucketName = Bucket }, cancellationToken);
        }
        catch (AmazonS3Exception ex) when (ex.StatusCode == HttpStatusCode.NotFound)
        {
            if (!Options.CreateBucket)
            {
                throw new StartupException($"The S3 bucket '{Bucket}' does not exist at {where}; create it, or start once with --s3-create-bucket.", ex);
            }

            try
            {
                await Client.PutBucketAsync(new PutBucketRequest { BucketName = Bucket }, cancellationToken);
            }
            catch (AmazonS3Exception create) when (create.ErrorCode == "BucketAlreadyOwnedByYou")
            {
                // Another node (or test) created it between the HEAD and the PUT.
            }
            catch (AmazonS3Exception create)
            {
                throw new StartupException($"Cannot create the S3 bucket '{Bucket}' at {where} ({(int)create.StatusCode} {create.ErrorCode}); create it by hand or check the credentials' rights.", create);
            }
        }
        catch (AmazonServiceException ex)
        {
            throw new StartupException($"The S3 store at {where} refused access to bucket '{Bucket}' ({(int)ex.StatusCode} {ex.ErrorCode}); check AAR_S3_ACCESS_KEY/AAR_S3_SECRET_KEY and the bucket's policy.", ex);
        }
        catch (Exception ex) when (ex is AmazonClientException or HttpRequestException or IOException or System.Net.Sockets.SocketException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
        {
            throw new StartupException($"Cannot reach the S3 store at {where} ({Innermost(ex).Message}); check --s3-endpoint and that the store is running.", ex);
        }
    }

    private static Exception Innermost(Exception ex)
    {
        while (ex.InnerException is not null)
        {
            ex = ex.InnerException;
        }

        return ex;
    }

    public void Dispose() => Client.Dispose();
}
