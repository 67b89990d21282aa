using System.Net;
using System.Net.Http.Headers;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using Aar.Protocol.Certificates;
using Aar.Protocol.Http;
using Aar.Protocol.Registry;

namespace Aar.Cli.Tests;

/// <summary>The typed <see cref="RegistryClient"/> plus raw chunk sends for tests that need to cut a request short.</summary>
internal sealed class CrashClient : IDisposable
{
    private readonly HttpClient _http;
    private readonly RegistryClient _typed;

    public CrashClient(Uri address, X509Certificate2 certificate, Fingerprint server)
    {
        _http = new HttpClient(new SocketsHttpHandler
        {
            SslOptions = new SslClientAuthenticationOptions { ClientCertificates = [certificate], RemoteCertificateValidationCallback = PinnedServerCertificate.Validator(server) },
        })
        { BaseAddress = address };
        _typed = RegistryClient.Create(address, certificate, server);
    }

    public Task<ApiResult<UploadSession>> StartUploadAsync() => _typed.StartUploadAsync();

    public Task<ApiResult<UploadSession>> GetUploadAsync(string id) => _typed.GetUploadAsync(id);

    public Task<ApiResult<BlobDescriptor>> FindBlobAsync(BlobDigest digest) => _typed.FindBlobAsync(digest);

    public Task<ApiResult<BlobDescriptor>> UploadBlobAsync(Stream content, BlobDigest digest, long size, UploadOptions options) =>
        _typed.UploadBlobAsync(content, digest, size, options);

    public Task<ApiResult<BlobDescriptor>> DownloadBlobAsync(BlobDigest digest, string path) => _typed.DownloadBlobAsync(digest, path);

    public async Task<HttpResponseMessage> UploadChunkAsync(string id, byte[] bytes, int offset, int length)
    {
        using var content = new ByteArrayContent(bytes, offset, length);
        content.Headers.ContentRange = new ContentRangeHeaderValue(offset, offset + length - 1);
        return await _http.PatchAsync(RegistryRoutes.Upload(id), content);
    }

    public Task<HttpResponseMessage> SendChunkAsync(string id, StallingChunk chunk)
    {
        chunk.Headers.ContentRange = new ContentRangeHeaderValue(chunk.Offset, chunk.Offset + chunk.Length - 1);
        return _http.PatchAsync(RegistryRoutes.Upload(id), chunk);
    }

    public Task<HttpResponseMessage> PutMonolithicAsync(BlobDigest digest, StallingChunk body) =>
        _http.PutAsync(RegistryRoutes.Blob(digest), body);

    public void Dispose()
    {
        _http.Dispose();
        _typed.Dispose();
    }
}

/// <summary>A request body that sends its first bytes, then waits until released (or until the server dies).</summary>
internal sealed class StallingChunk(byte[] bytes, int offset, int length, int stallAfter) : HttpContent
{
    private readonly TaskCompletionSource _stalled = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _release = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public int Offset => offset;

    public int Length => length;

    public Task Stalled => _stalled.Task;

    public void Release() => _release.TrySetResult();

    protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context)
    {
        await stream.WriteAsync(bytes.AsMemory(offset, stallAfter));
        await stream.FlushAsync();
        _stalled.TrySetResult();
        await _release.Task;
        await stream.WriteAsync(bytes.AsMemory(offset + stallAfter, length - stallAfter));
    }

    protected override bool TryComputeLength(out long computed)
    {
        computed = length;
        return true;
    }
}
