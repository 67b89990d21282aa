using System.Net.Http.Headers;
using System.Security.Cryptography.X509Certificates;
using Aar.Protocol.Certificates;
using Aar.Protocol.Registry;
using Aar.Server.Hosting;
using Aar.Server.Storage.S3;
using Amazon.S3.Model;
using TestSupport;
using Xunit.Abstractions;

namespace Aar.Server.Tests;

/// <summary>A registry for storage tests with one trusted publisher (raw mTLS client and typed client) ready.</summary>
internal sealed class StorageRegistry : IAsyncDisposable
{
    private readonly List<IDisposable> _owned = [];
    private S3Connection? _s3;

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

    public RegistryClient Typed(X509Certificate2? certificate = null, RegistryClientOptions? options = null)
    {
        Assert.True(Fingerprint.TryParse(Server.ServerFingerprint, out var pin));
        return Own(RegistryClient.Create(Server.Address, certificate ?? PublisherCertificate, pin, options: options));
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

    /// <summary>The bucket and prefix this registry stores in, when the run uses S3 (AAR_TEST_S3_ENDPOINT).</summary>
    public S3Connection? S3 => Server.Options.BlobStore == "s3" ? _s3 ??= Own(new S3Connection(Server.Options.S3)) : null;

    /// <summary>
    /// Everything stored for blobs and upload sessions, named as the file store lays it out
    /// (<c>blobs/sha256/ab/abcd…</c>, <c>uploads/&lt;id&gt;</c>): proof that nothing half-written is left or visible. On S3
    /// the same names stand for the blob objects and for each session's multipart upload and tail objects
    /// (touch markers are not blobs).
    /// </summary>
    public IReadOnlyList<string> StoredFiles()
    {
        if (S3 is { } s3)
        {
            return Task.Run(() => StoredObjectsAsync(s3)).GetAwaiter().GetResult();
        }

        return Directory.EnumerateFiles(BlobsDirectory, "*", SearchOption.AllDirectories)
            .Where(f => !IsSidecar(f))
            .Concat(Directory.EnumerateFiles(UploadsDirectory, "*", SearchOption.AllDirectories))
            .Select(f => Path.GetRelativePath(Server.DataDirectory, f))
            .Order(StringComparer.Ordinal)
            .ToList();
    }

    /// <summary>A chunk index kept with a blob (<c>blobs/chunks/ab/&lt;hex&gt;</c>): derived from the blob, not a blob itself.</summary>
    public static bool IsSidecar(string name) =>
        name.Contains($"{Path.DirectorySeparatorChar}chunks{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
        // One being written by the background indexer (a version's blob is indexed when the version is created).
        || (name.Contains($"{Path.DirectorySeparatorChar}.tmp{Path.DirectorySeparatorChar}", StringComparison.Ordinal) && name.EndsWith(".chunks", StringComparison.Ordinal));

    /// <summary>Whether the blob's chunk-index sidecar is stored (a file beside it, or an object beside it on S3).</summary>
    public async Task<bool> HasSidecarAsync(TestBlob blob)
    {
        if (S3 is not { } s3)
        {
            return File.Exists(Path.Combine(BlobsDirectory, "chunks", blob.Digest.Hex[..2], blob.Digest.Hex));
        }

        return await s3.HeadAsync(s3.Options.Prefix + "blobs/chunks/" + blob.Digest.Hex, CancellationToken.None) is not null;
    }

    private static async Task<IReadOnlyList<string>> StoredObjectsAsync(S3Connection s3)
    {
        var names = new SortedSet<string>(StringComparer.Ordinal);
        await foreach (var item in s3.ListAsync(s3.BlobsPrefix, CancellationToken.None))
        {
            var hex = item.Key[s3.BlobsPrefix.Length..];
            names.Add(Path.Combine("blobs", "sha256", hex[..2], hex));
        }

        var uploads = s3.Options.Prefix + "uploads/";
        await foreach (var item in s3.ListAsync(uploads, CancellationToken.None))
        {
            names.Add(Path.Combine("uploads", item.Key[uploads.Length..].Split('/')[0]));
        }

        var pending = await s3.Client.ListMultipartUploadsAsync(new ListMultipartUploadsRequest { BucketName = s3.Bucket, Prefix = uploads });
        foreach (var upload in pending.MultipartUploads ?? [])
        {
            names.Add(Path.Combine("uploads", upload.Key[uploads.Length..].Split('/')[0]));
        }

        return [.. names];
    }

    /// <summary>A stored blob's bytes, straight from the store (not through the registry).</summary>
    public async Task<byte[]> ReadStoredAsync(TestBlob blob)
    {
        if (S3 is not { } s3)
        {
            return await File.ReadAllBytesAsync(Path.Combine(Server.DataDirectory, blob.RelativePath));
        }

        using var response = await s3.Client.GetObjectAsync(s3.Bucket, s3.BlobKey(blob.Digest));
        using var copy = new MemoryStream();
        await response.ResponseStream.CopyToAsync(copy);
        return copy.ToArray();
    }

    /// <summary>Replaces a stored blob's bytes behind the registry's back (damage on disk, or in the bucket).</summary>
    public async Task OverwriteStoredAsync(TestBlob blob, byte[] bytes)
    {
        if (S3 is not { } s3)
        {
            await File.WriteAllBytesAsync(Path.Combine(Server.DataDirectory, blob.RelativePath), bytes);
            return;
        }

        await s3.Client.PutObjectAsync(new PutObjectRequest { BucketName = s3.Bucket, Key = s3.BlobKey(blob.Digest), InputStream = new MemoryStream(bytes) });
    }

    /// <summary>Deletes a stored blob behind the registry's back.</summary>
    public async Task DeleteStoredAsync(TestBlob blob)
    {
        if (S3 is not { } s3)
        {
            File.Delete(Path.Combine(Server.DataDirectory, blob.RelativePath));
            return;
        }

        await s3.Client.DeleteObjectAsync(s3.Bucket, s3.BlobKey(blob.Digest));
    }

    /// <summary>Bytes an upload session holds in storage: its partial file, or its S3 parts plus tail object.</summary>
    public long StagedBytes(string id)
    {
        if (S3 is not { } s3)
        {
            return new FileInfo(Path.Combine(UploadsDirectory, id)).Length;
        }

        return Task.Run(async () =>
        {
            long total = 0;
            var prefix = s3.UploadPrefix(id);
            await foreach (var item in s3.ListAsync(prefix, CancellationToken.None))
            {
                total += item.Key.Contains("/tail-", StringComparison.Ordinal) ? item.Size ?? 0 : 0;
            }

            var pending = await s3.Client.ListMultipartUploadsAsync(new ListMultipartUploadsRequest { BucketName = s3.Bucket, Prefix = prefix });
            foreach (var upload in pending.MultipartUploads ?? [])
            {
                var parts = await s3.Client.ListPartsAsync(new ListPartsRequest { BucketName = s3.Bucket, Key = upload.Key, UploadId = upload.UploadId });
                total += parts.Parts?.Sum(p => p.Size ?? 0) ?? 0;
            }

            return total;
        }).GetAwaiter().GetResult();
    }

    /// <summary>How many upload sessions have storage.</summary>
    public int StagedSessions() => StoredFiles().Count(f => f.StartsWith("uploads", StringComparison.Ordinal));

    /// <summary>Upload sessions the registry database holds (on any backend: S3 stages nothing before the first chunk).</summary>
    public async Task<long> SessionRowsAsync()
    {
        await using var connection = await Server.Database.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT count(*) FROM upload_sessions";
        return Convert.ToInt64(await command.ExecuteScalarAsync());
    }

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
