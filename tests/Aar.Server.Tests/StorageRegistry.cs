using System.Net.Http.Headers;
using System.Security.Cryptography.X509Certificates;
using Aar.Protocol.Certificates;
using Aar.Protocol.Registry;
using Aar.Server.Hosting;
using TestSupport;
using Xunit.Abstractions;

namespace Aar.Server.Tests;

/// <summary>A registry for storage tests with one trusted publisher (raw mTLS client and typed client) ready.</summary>
internal sealed class StorageRegistry : IAsyncDisposable
{
    private readonly List<IDisposable> _owned = [];

    private StorageRegistry(RegistryTestServer server) => Server = server;

    public RegistryTestServer Server { get; }

    public X509Certificate2 PublisherCertificate { get; private set; } = null!;

    public MtlsClient Publisher { get; private set; } = null!;

    public HttpClient Http => Publisher.Http;

    public string BlobsDirectory => Path.Combine(Server.DataDirectory, "blobs");

    public string UploadsDirectory => Path.Combine(Server.DataDirectory, "uploads");

    public static async Task<StorageRegistry> StartAsync(ITestOutputHelper output, Func<ServeOptions, ServeOptions>? configure = null, TimeProvider? time = null)
    {
        var registry = new StorageRegistry(await RegistryTestServer.StartAsync(output, time: time, configure: configure));
        registry.PublisherCertificate = registry.Own(TestCertificates.Client("publisher-1"));
        await registry.Server.TrustAsync(registry.PublisherCertificate, TrustRole.Publisher);
        registry.Publisher = registry.Own(registry.Server.Client(registry.PublisherCertificate));
        return registry;
    }

    public async Task<MtlsClient> AddCallerAsync(string name, TrustRole role)
    {
        var certificate = Own(TestCertificates.Client(name));
        await Server.TrustAsync(certificate, role);
        return Own(Server.Client(certificate));
    }

    public RegistryClient Typed(X509Certificate2? certificate = null)
    {
        Assert.True(Fingerprint.TryParse(Server.ServerFingerprint, out var pin));
        return Own(RegistryClient.Create(Server.Address, certificate ?? PublisherCertificate, pin));
    }

    public async Task<HttpResponseMessage> PutBlobAsync(TestBlob blob, HttpClient? http = null)
    {
        using var content = new ByteArrayContent(blob.Bytes);
        return await (http ?? Http).PutAsync($"/1.0/blobs/{blob.Digest}", content);
    }

    public static ByteArrayContent Chunk(byte[] bytes, long start, string? range = null)
    {
        var content = new ByteArrayContent(bytes);
        content.Headers.TryAddWithoutValidation("Content-Range", range ?? $"bytes {start}-{start + bytes.Length - 1}/*");
        return content;
    }

    public static async Task<T> ReadAsync<T>(HttpResponseMessage response, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> type)
    {
        var value = await System.Net.Http.Json.HttpContentJsonExtensions.ReadFromJsonAsync(response.Content, type);
        Assert.NotNull(value);
        return value;
    }

    /// <summary>Every file under the blob store and upload area: proof that nothing half-written is left or visible.</summary>
    public IReadOnlyList<string> StoredFiles() =>
        Directory.EnumerateFiles(BlobsDirectory, "*", SearchOption.AllDirectories)
            .Concat(Directory.EnumerateFiles(UploadsDirectory, "*", SearchOption.AllDirectories))
            .Select(f => Path.GetRelativePath(Server.DataDirectory, f))
            .Order(StringComparer.Ordinal)
            .ToList();

    public static MediaTypeHeaderValue OctetStream => new("application/octet-stream");

    private T Own<T>(T disposable)
        where T : IDisposable
    {
        _owned.Add(disposable);
        return disposable;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var item in _owned)
        {
            item.Dispose();
        }

        await Server.DisposeAsync();
    }
}

/// <summary>Random bytes with their digest.</summary>
internal sealed record TestBlob(byte[] Bytes, BlobDigest Digest)
{
    public static TestBlob Random(int size)
    {
        var bytes = new byte[size];
        System.Random.Shared.NextBytes(bytes);
        return new TestBlob(bytes, BlobDigest.Of(bytes));
    }

    public string RelativePath => Path.Combine("blobs", "sha256", Digest.Hex[..2], Digest.Hex);
}
