using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json.Serialization.Metadata;
using Aar.Protocol.Certificates;
using Aar.Protocol.Http;

namespace Aar.Protocol.Registry;

/// <summary>
/// Typed client of the registry HTTP API over mutual TLS: the client certificate identifies the AMS, and the server
/// is accepted only by its pinned fingerprint. Expected failures come back as <see cref="ApiResult{T}"/> problems;
/// transfers (<see cref="UploadBlobAsync"/>, <see cref="DownloadBlobAsync"/>) stream and resume on their own.
/// </summary>
public sealed partial class RegistryClient(HttpClient http) : IDisposable
{
    /// <summary>A client for <paramref name="baseAddress"/> presenting <paramref name="clientCertificate"/> (with its key).</summary>
    /// <remarks><paramref name="onServerMismatch"/> is called with the fingerprint a server presented when it is not
    /// the pinned one, so the caller can say which certificate it met. <paramref name="options"/> bounds waits and
    /// sizes (defaults: <see cref="RegistryClientOptions"/>).</remarks>
    public static RegistryClient Create(Uri baseAddress, X509Certificate2 clientCertificate, Fingerprint serverFingerprint, TimeSpan? timeout = null, Action<Fingerprint>? onServerMismatch = null, RegistryClientOptions? options = null)
    {
        options ??= new RegistryClientOptions();
        var handler = Handler(options);
        handler.SslOptions = new SslClientAuthenticationOptions
        {
            ClientCertificates = [clientCertificate],
            RemoteCertificateValidationCallback = PinnedServerCertificate.Validator(serverFingerprint, onServerMismatch),
        };
        return new RegistryClient(new HttpClient(handler)
        {
            BaseAddress = baseAddress,
            Timeout = timeout ?? Timeout.InfiniteTimeSpan,
            // HTTP/1.1 moves bulk data faster than HTTP/2 against Kestrel (measured on a 2-core VM: one stream, one TLS connection).
            DefaultRequestVersion = HttpVersion.Version11,
            // A backstop only: every JSON answer is read streaming with its own cap (SendAsync below).
            MaxResponseContentBufferSize = options.MaxListingBytes,
        })
        {
            Options = options,
        };
    }

    /// <summary>Waits and caps in force (<see cref="RegistryClientOptions"/>).</summary>
    public RegistryClientOptions Options { get; private init; } = new();

    /// <summary>
    /// A handler that cannot wait forever: a connect timeout (TCP and TLS), and TCP keepalive on every socket so a
    /// peer that disappeared without closing is detected by the kernel even while nothing is being read.
    /// </summary>
    private static SocketsHttpHandler Handler(RegistryClientOptions options) => new()
    {
        ConnectTimeout = options.ConnectTimeout,
        ConnectCallback = (context, cancellationToken) => KeepAliveSocket.ConnectAsync(context.DnsEndPoint, options.KeepAliveTime, cancellationToken),
        // Long transfers: the overall timeout is per request below, not a connection lifetime.
        PooledConnectionIdleTimeout = TimeSpan.FromMinutes(2),
        // Redirects are followed by hand (RegistryClient.Redirects.cs): a registry may send downloads to its
        // object store (aar serve --s3-redirect on), which must get neither our client certificate nor our pin,
        // and an https → http hop would not be followed automatically at all.
        AllowAutoRedirect = false,
    };

    public Task<ApiResult<ServerInfo>> GetInfoAsync(CancellationToken cancellationToken = default) =>
        SendAsync(new HttpRequestMessage(HttpMethod.Get, RegistryRoutes.Prefix), RegistryReadJsonContext.Default.ServerInfo, cancellationToken);

    /// <summary>The blob's descriptor if the registry has it, or a <c>blob-unknown</c> problem (one HEAD request).</summary>
    public async Task<ApiResult<BlobDescriptor>> FindBlobAsync(BlobDigest digest, CancellationToken cancellationToken = default)
    {
        using var request = new HttpRequestMessage(HttpMethod.Head, RegistryRoutes.Blob(digest));
        using var response = await SendForHeadersAsync(http, request, cancellationToken);
        if (response.IsSuccessStatusCode)
        {
            return ApiResult.Ok(new BlobDescriptor { Digest = digest.ToString(), Size = response.Content.Headers.ContentLength ?? 0 });
        }

        return ApiResult.Failed<BlobDescriptor>(response.StatusCode == HttpStatusCode.NotFound
            ? new Problem { Type = ProblemTypes.BlobUnknown, Title = "Unknown blob", Status = 404, Detail = $"The registry has no blob {digest}." }
            : new Problem { Type = ProblemTypes.Internal, Title = "Unexpected response", Status = (int)response.StatusCode, Detail = $"HEAD {RegistryRoutes.Blob(digest)} answered {(int)response.StatusCode}." });
    }

    /// <summary>
    /// The listing, or a null value when <paramref name="knownGeneration"/> is still current (304: nothing changed,
    /// a few hundred bytes on the wire).
    /// </summary>
    public async Task<ApiResult<ApplicationListing?>> ListApplicationsAsync(string? architecture = null, IEnumerable<string>? tags = null, long? knownGeneration = null, CancellationToken cancellationToken = default)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, RegistryRoutes.Applications + ListingQuery(architecture, tags));
        if (knownGeneration is { } generation)
        {
            request.Headers.IfNoneMatch.Add(new EntityTagHeaderValue($"\"{generation.ToString(CultureInfo.InvariantCulture)}\""));
        }

        using var response = await SendForHeadersAsync(http, request, cancellationToken);
        if (response.StatusCode == HttpStatusCode.NotModified)
        {
            return ApiResult.Ok<ApplicationListing?>(null);
        }

        var result = await ApiResponses.ReadAsync(response, RegistryReadJsonContext.Default.ApplicationListing, Options.MaxListingBytes, Options.IdleTimeout, cancellationToken);
        if (result.Succeeded && ListingShape.Problem(result.Value!.Applications) is { } shape)
        {
            return ApiResult.Failed<ApplicationListing?>(new Problem { Type = ProblemTypes.Internal, Title = "Unexpected response", Status = 200, Detail = $"GET {RegistryRoutes.Applications} answered 200 with a listing that {shape}." });
        }

        return result.Succeeded ? ApiResult.Ok<ApplicationListing?>(result.Value) : ApiResult.Failed<ApplicationListing?>(result.Problem!);
    }

    public Task<ApiResult<DeletionListing>> GetDeletionsAsync(long since, CancellationToken cancellationToken = default) =>
        SendAsync(new HttpRequestMessage(HttpMethod.Get, $"{RegistryRoutes.Deletions}?since={since.ToString(CultureInfo.InvariantCulture)}"), RegistryReadJsonContext.Default.DeletionListing, cancellationToken, Options.MaxListingBytes);

    public Task<ApiResult<ApplicationRecord>> GetApplicationAsync(string name, string architecture, CancellationToken cancellationToken = default) =>
        SendAsync(new HttpRequestMessage(HttpMethod.Get, RegistryRoutes.Application(name, architecture)), RegistryReadJsonContext.Default.ApplicationRecord, cancellationToken);

    /// <summary>Publishes a version whose blob is stored; succeeds (200) too when the identical version exists.</summary>
    public Task<ApiResult<ApplicationVersion>> CreateVersionAsync(string name, string architecture, int version, CreateVersionRequest request, CancellationToken cancellationToken = default) =>
        SendAsync(
            new HttpRequestMessage(HttpMethod.Put, RegistryRoutes.Version(name, architecture, version)) { Content = JsonContent.Create(request, ProtocolJsonContext.Default.CreateVersionRequest) },
            RegistryReadJsonContext.Default.ApplicationVersion,
            cancellationToken);

    public Task<ApiResult<DeletionRecord>> DeleteVersionAsync(string name, string architecture, int version, CancellationToken cancellationToken = default) =>
        SendAsync(new HttpRequestMessage(HttpMethod.Delete, RegistryRoutes.Version(name, architecture, version)), RegistryReadJsonContext.Default.DeletionRecord, cancellationToken);

    public Task<ApiResult<DeletionRecord>> DeleteApplicationAsync(string name, string architecture, CancellationToken cancellationToken = default) =>
        SendAsync(new HttpRequestMessage(HttpMethod.Delete, RegistryRoutes.Application(name, architecture)), RegistryReadJsonContext.Default.DeletionRecord, cancellationToken);

    /// <summary>
    /// Starts an upload session. Naming the <paramref name="digest"/> that will be sent lets a registry on S3 stage the
    /// bytes at the blob's address (no copy of the whole blob at completion); the session can then only be finished
    /// with that digest.
    /// </summary>
    public Task<ApiResult<UploadSession>> StartUploadAsync(BlobDigest? digest = null, CancellationToken cancellationToken = default) =>
        SendAsync(new HttpRequestMessage(HttpMethod.Post, digest is { } named ? $"{RegistryRoutes.Uploads}?digest={named}" : RegistryRoutes.Uploads), RegistryReadJsonContext.Default.UploadSession, cancellationToken);

    public Task<ApiResult<UploadSession>> GetUploadAsync(string id, CancellationToken cancellationToken = default) =>
        SendAsync(new HttpRequestMessage(HttpMethod.Get, RegistryRoutes.Upload(id)), RegistryReadJsonContext.Default.UploadSession, cancellationToken);

    /// <summary>
    /// Sends and reads a JSON answer of at most <paramref name="maxBytes"/> (default <see cref="RegistryClientOptions.MaxJsonBytes"/>),
    /// streaming, with the idle timeout on every wait. A write may ask the registry's store to move
    /// <paramref name="workBytes"/> before it answers (see <see cref="SendWriteAsync"/>).
    /// </summary>
    private async Task<ApiResult<T>> SendAsync<T>(HttpRequestMessage request, JsonTypeInfo<T> typeInfo, CancellationToken cancellationToken, long? maxBytes = null, long workBytes = 0)
    {
        using (request)
        {
            using var response = request.Method == HttpMethod.Get || request.Method == HttpMethod.Head
                ? await SendForHeadersAsync(http, request, cancellationToken)
                : await SendWriteAsync(request, workBytes, cancellationToken);
            return await ApiResponses.ReadAsync(response, typeInfo, maxBytes ?? Options.MaxJsonBytes, Options.IdleTimeout, cancellationToken);
        }
    }

    /// <summary>Sends a read and returns once the headers are in (within <see cref="RegistryClientOptions.IdleTimeout"/>), without buffering the body.</summary>
    private async Task<HttpResponseMessage> SendForHeadersAsync(HttpClient client, HttpRequestMessage request, CancellationToken cancellationToken)
    {
        using var headers = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        headers.CancelAfter(Options.IdleTimeout);
        try
        {
            return await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, headers.Token);
        }
        catch (OperationCanceledException) when (headers.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            throw new IdleTimeoutException($"{request.Method} {request.RequestUri} (waiting for the answer's headers)", Options.IdleTimeout);
        }
    }

    /// <summary>
    /// Sends a write (an upload chunk, a copy, the finishing PUT) and returns once the answer's headers are in. It may
    /// rightly take long on a slow uplink, so it is bounded by progress (<see cref="WriteWatchdog"/>): cut when the
    /// registry takes no byte of the body for the idle timeout, or gives no answer within the idle timeout plus the
    /// time its store needs for <paramref name="workBytes"/> once the body is out (<see cref="WriteStalledException"/>).
    /// </summary>
    private async Task<HttpResponseMessage> SendWriteAsync(HttpRequestMessage request, long workBytes, CancellationToken cancellationToken)
    {
        using var watchdog = new WriteWatchdog(Options.IdleTimeout, workBytes, request.Content is not null, cancellationToken);
        if (request.Content is { } body)
        {
            request.Content = new WatchedContent(body, watchdog);
        }

        try
        {
            return await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, watchdog.Token);
        }
        catch (OperationCanceledException) when (watchdog.Fired)
        {
            throw watchdog.Stalled(request);
        }
    }

    public void Dispose()
    {
        http.Dispose();
        _external?.Dispose();
    }
}
