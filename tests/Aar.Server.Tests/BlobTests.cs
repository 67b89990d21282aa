using System.Net;
using System.Net.Http.Headers;
using Aar.Protocol;
using Aar.Protocol.Http;
using Aar.Protocol.Registry;
using Xunit.Abstractions;
using static Aar.Server.Tests.TrustEnforcementTests;

namespace Aar.Server.Tests;

/// <summary>/1.0/blobs over real mTLS: monolithic PUT, HEAD, GET with ranges and ETag, and every refusal.</summary>
public sealed class BlobTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Monolithic_put_stores_the_blob_and_get_returns_it_with_digest_headers()
    {
        await using var registry = await StorageRegistry.StartAsync(output);
        var blob = TestBlob.Random(300_000);

        using var put = await registry.PutBlobAsync(blob);

        Assert.Equal(HttpStatusCode.Created, put.StatusCode);
        Assert.Equal(new BlobDescriptor { Digest = blob.Digest.ToString(), Size = blob.Bytes.Length }, await StorageRegistry.ReadAsync(put, ProtocolJsonContext.Default.BlobDescriptor));
        Assert.Equal($"/1.0/blobs/{blob.Digest}", put.Headers.Location?.OriginalString);
        using var get = await registry.Http.GetAsync($"/1.0/blobs/{blob.Digest}");
        Assert.Equal(HttpStatusCode.OK, get.StatusCode);
        Assert.Equal(blob.Bytes, await get.Content.ReadAsByteArrayAsync());
        Assert.Equal($"\"{blob.Digest}\"", get.Headers.ETag?.Tag);
        Assert.Equal(blob.Digest.ToString(), get.Headers.GetValues(RegistryRoutes.DigestHeader).Single());
        Assert.Equal([blob.RelativePath], registry.StoredFiles());
    }

    [Fact]
    public async Task The_empty_blob_is_a_blob_like_any_other()
    {
        await using var registry = await StorageRegistry.StartAsync(output);
        var empty = new TestBlob([], BlobDigest.Of([]));

        using var put = await registry.PutBlobAsync(empty);
        using var get = await registry.Http.GetAsync($"/1.0/blobs/{empty.Digest}");
        var session = await UploadSessionTests.StartAsync(registry);
        using var viaSession = await registry.Http.PutAsync($"{session.Location}?digest={empty.Digest}&size=0", null);

        Assert.Equal(HttpStatusCode.Created, put.StatusCode);
        Assert.Equal("sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", empty.Digest.ToString());
        Assert.Equal(HttpStatusCode.OK, get.StatusCode);
        Assert.Empty(await get.Content.ReadAsByteArrayAsync());
        Assert.Equal(HttpStatusCode.OK, viaSession.StatusCode);
        Assert.Equal([empty.RelativePath], registry.StoredFiles());
    }

    [Fact]
    public async Task Head_is_the_already_have_it_check()
    {
        await using var registry = await StorageRegistry.StartAsync(output);
        var blob = TestBlob.Random(1000);
        using (var before = await registry.Http.SendAsync(new HttpRequestMessage(HttpMethod.Head, $"/1.0/blobs/{blob.Digest}")))
        {
            Assert.Equal(HttpStatusCode.NotFound, before.StatusCode);
        }

        (await registry.PutBlobAsync(blob)).Dispose();

        using var after = await registry.Http.SendAsync(new HttpRequestMessage(HttpMethod.Head, $"/1.0/blobs/{blob.Digest}"));
        Assert.Equal(HttpStatusCode.OK, after.StatusCode);
        Assert.Equal(1000, after.Content.Headers.ContentLength);
        Assert.Empty(await after.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    [Trait("Backend", "Embedded")]
    public async Task Putting_a_blob_the_registry_has_answers_200_and_keeps_the_original()
    {
        await using var registry = await StorageRegistry.StartAsync(output);
        var blob = TestBlob.Random(5000);
        (await registry.PutBlobAsync(blob)).Dispose();
        var path = Path.Combine(registry.Server.DataDirectory, blob.RelativePath);
        var inode = await InodeAsync(path);

        using var again = await registry.PutBlobAsync(blob);

        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        Assert.Equal(inode, await InodeAsync(path));
        Assert.Equal([blob.RelativePath], registry.StoredFiles());
    }

    [Fact]
    public async Task With_expect_100_continue_an_existing_blob_is_answered_without_asking_for_the_body()
    {
        await using var registry = await StorageRegistry.StartAsync(output);
        var blob = TestBlob.Random(5000);
        (await registry.PutBlobAsync(blob)).Dispose();
        using var tcp = new System.Net.Sockets.TcpClient();
        await tcp.ConnectAsync(registry.Server.Address.Host, registry.Server.Address.Port);
        await using var tls = new System.Net.Security.SslStream(tcp.GetStream());
        await tls.AuthenticateAsClientAsync(new System.Net.Security.SslClientAuthenticationOptions
        {
            TargetHost = "localhost",
            ClientCertificates = [registry.PublisherCertificate],
            RemoteCertificateValidationCallback = Aar.Protocol.Certificates.PinnedServerCertificate.Validator(Pin(registry.Server.ServerFingerprint)),
            ApplicationProtocols = [System.Net.Security.SslApplicationProtocol.Http11],
        });

        // Headers only: a client honouring Expect sends the body after "100 Continue", which must not come.
        await tls.WriteAsync(System.Text.Encoding.ASCII.GetBytes($"PUT /1.0/blobs/{blob.Digest} HTTP/1.1\r\nHost: localhost\r\nContent-Length: 5000\r\nExpect: 100-continue\r\n\r\n"));
        var head = new byte[512];
        var read = await tls.ReadAsync(head);

        Assert.StartsWith("HTTP/1.1 200 OK", System.Text.Encoding.ASCII.GetString(head, 0, read), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Tls_13_prefers_aes_128_gcm_over_the_clients_first_choice()
    {
        // The client offers OpenSSL's default order (AES-256-GCM first); the server's order decides: AES-128-GCM costs
        // four AES rounds less per block of every download.
        await using var registry = await StorageRegistry.StartAsync(output);
        using var tcp = new System.Net.Sockets.TcpClient();
        await tcp.ConnectAsync(registry.Server.Address.Host, registry.Server.Address.Port);
        await using var tls = new System.Net.Security.SslStream(tcp.GetStream());
        await tls.AuthenticateAsClientAsync(new System.Net.Security.SslClientAuthenticationOptions
        {
            TargetHost = "localhost",
            ClientCertificates = [registry.PublisherCertificate],
            RemoteCertificateValidationCallback = Aar.Protocol.Certificates.PinnedServerCertificate.Validator(Pin(registry.Server.ServerFingerprint)),
            EnabledSslProtocols = System.Security.Authentication.SslProtocols.Tls13,
            CipherSuitesPolicy = new System.Net.Security.CipherSuitesPolicy([System.Net.Security.TlsCipherSuite.TLS_AES_256_GCM_SHA384, System.Net.Security.TlsCipherSuite.TLS_CHACHA20_POLY1305_SHA256, System.Net.Security.TlsCipherSuite.TLS_AES_128_GCM_SHA256]),
        });

        Assert.Equal(System.Net.Security.TlsCipherSuite.TLS_AES_128_GCM_SHA256, tls.NegotiatedCipherSuite);
    }

    [Fact]
    public async Task Digest_mismatch_is_400_and_nothing_becomes_visible()
    {
        await using var registry = await StorageRegistry.StartAsync(output);
        var blob = TestBlob.Random(4096);
        var claimed = TestBlob.Random(10).Digest;
        using var content = new ByteArrayContent(blob.Bytes);

        using var response = await registry.Http.PutAsync($"/1.0/blobs/{claimed}", content);

        var problem = await AssertProblem(response, HttpStatusCode.BadRequest, ProblemTypes.DigestMismatch);
        Assert.Contains(blob.Digest.ToString(), problem.Detail, StringComparison.Ordinal);
        Assert.Contains(claimed.ToString(), problem.Detail, StringComparison.Ordinal);
        Assert.Empty(registry.StoredFiles());
        using var head = await registry.Http.SendAsync(new HttpRequestMessage(HttpMethod.Head, $"/1.0/blobs/{claimed}"));
        Assert.Equal(HttpStatusCode.NotFound, head.StatusCode);
    }

    [Theory]
    [InlineData("sha256:ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789")]
    [InlineData("sha256:abc")]
    [InlineData("sha512:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef")]
    [InlineData("0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef")]
    [InlineData("sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdeg")]
    [InlineData("sha256:..%2F..%2Fetc%2Fpasswd")]
    public async Task Invalid_digest_syntax_is_400_on_every_blob_route(string digest)
    {
        await using var registry = await StorageRegistry.StartAsync(output);

        using var get = await registry.Http.GetAsync($"/1.0/blobs/{digest}");
        await AssertProblem(get, HttpStatusCode.BadRequest, ProblemTypes.InvalidDigest);
        using var put = await registry.Http.PutAsync($"/1.0/blobs/{digest}", new ByteArrayContent([1, 2, 3]));
        await AssertProblem(put, HttpStatusCode.BadRequest, ProblemTypes.InvalidDigest);
        using var head = await registry.Http.SendAsync(new HttpRequestMessage(HttpMethod.Head, $"/1.0/blobs/{digest}"));
        Assert.Equal(HttpStatusCode.BadRequest, head.StatusCode);
        var upload = await StorageRegistry.ReadAsync(await registry.Http.PostAsync("/1.0/uploads", null), ProtocolJsonContext.Default.UploadSession);
        using var finish = await registry.Http.PutAsync($"{upload.Location}?digest={digest}", null);
        await AssertProblem(finish, HttpStatusCode.BadRequest, ProblemTypes.InvalidDigest);
        Assert.Equal([Path.Combine("uploads", upload.Id)], registry.StoredFiles());
    }

    [Fact]
    public async Task A_body_over_the_maximum_is_413_before_any_byte_is_stored()
    {
        await using var registry = await StorageRegistry.StartAsync(output, o => o with { MaxBlobBytes = 1000 });
        var blob = TestBlob.Random(1001);

        using var response = await registry.PutBlobAsync(blob);

        var problem = await AssertProblem(response, HttpStatusCode.RequestEntityTooLarge, ProblemTypes.BodyTooLarge);
        Assert.Contains("1000", problem.Detail, StringComparison.Ordinal);
        Assert.Empty(registry.StoredFiles());
    }

    [Fact]
    public async Task A_body_without_content_length_is_411()
    {
        await using var registry = await StorageRegistry.StartAsync(output);
        var blob = TestBlob.Random(100);
        using var content = new StreamContent(new NonSeekableStream(blob.Bytes));

        using var response = await registry.Http.PutAsync($"/1.0/blobs/{blob.Digest}", content);

        await AssertProblem(response, HttpStatusCode.LengthRequired, ProblemTypes.LengthRequired);
        Assert.Empty(registry.StoredFiles());
    }

    [Theory]
    [InlineData("bytes=100-199", 206, 100, 100)]
    [InlineData("bytes=-100", 206, 900, 100)]
    [InlineData("bytes=900-", 206, 900, 100)]
    [InlineData("bytes=0-99999", 206, 0, 1000)]
    public async Task Get_serves_single_and_suffix_ranges(string range, int status, int start, int length)
    {
        await using var registry = await StorageRegistry.StartAsync(output);
        var blob = TestBlob.Random(1000);
        (await registry.PutBlobAsync(blob)).Dispose();
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/1.0/blobs/{blob.Digest}");
        request.Headers.TryAddWithoutValidation("Range", range);

        using var response = await registry.Http.SendAsync(request);

        Assert.Equal(status, (int)response.StatusCode);
        Assert.Equal(blob.Bytes.AsSpan(start, length).ToArray(), await response.Content.ReadAsByteArrayAsync());
        Assert.Equal(new ContentRangeHeaderValue(start, start + length - 1, 1000), response.Content.Headers.ContentRange);
    }

    [Fact]
    public async Task An_unsatisfiable_range_is_416_with_the_size()
    {
        await using var registry = await StorageRegistry.StartAsync(output);
        var blob = TestBlob.Random(1000);
        (await registry.PutBlobAsync(blob)).Dispose();
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/1.0/blobs/{blob.Digest}");
        request.Headers.Range = new RangeHeaderValue(5000, null);

        using var response = await registry.Http.SendAsync(request);

        await AssertProblem(response, HttpStatusCode.RequestedRangeNotSatisfiable, ProblemTypes.RangeNotSatisfiable);
        Assert.Equal(1000, response.Content.Headers.ContentRange?.Length);
    }

    [Fact]
    public async Task Get_with_the_digest_etag_is_304()
    {
        await using var registry = await StorageRegistry.StartAsync(output);
        var blob = TestBlob.Random(1000);
        (await registry.PutBlobAsync(blob)).Dispose();
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/1.0/blobs/{blob.Digest}");
        request.Headers.IfNoneMatch.Add(new EntityTagHeaderValue($"\"{blob.Digest}\""));

        using var response = await registry.Http.SendAsync(request);

        Assert.Equal(HttpStatusCode.NotModified, response.StatusCode);
    }

    [Fact]
    public async Task An_unknown_blob_is_404_blob_unknown()
    {
        await using var registry = await StorageRegistry.StartAsync(output);

        using var response = await registry.Http.GetAsync($"/1.0/blobs/{TestBlob.Random(1).Digest}");

        await AssertProblem(response, HttpStatusCode.NotFound, ProblemTypes.BlobUnknown);
    }

    [Fact]
    public async Task Concurrent_uploads_of_the_same_blob_store_it_once()
    {
        await using var registry = await StorageRegistry.StartAsync(output);
        var other = await registry.AddCallerAsync("publisher-2", TrustRole.Publisher);
        var blob = TestBlob.Random(8 * 1024 * 1024);

        var responses = await Task.WhenAll(Enumerable.Range(0, 4).Select(i => registry.PutBlobAsync(blob, i % 2 == 0 ? registry.Http : other.Http)));

        Assert.All(responses, r => Assert.Contains(r.StatusCode, new[] { HttpStatusCode.Created, HttpStatusCode.OK }));
        Assert.Contains(responses, r => r.StatusCode == HttpStatusCode.Created);
        Assert.Equal([blob.RelativePath], registry.StoredFiles());
        Assert.Equal(blob.Bytes, await registry.ReadStoredAsync(blob));
        foreach (var response in responses)
        {
            response.Dispose();
        }
    }

    [Fact]
    public async Task A_client_role_certificate_cannot_write_anything()
    {
        await using var registry = await StorageRegistry.StartAsync(output);
        var reader = await registry.AddCallerAsync("ams-client", TrustRole.Client);
        var blob = TestBlob.Random(100);

        using var put = await registry.PutBlobAsync(blob, reader.Http);
        using var upload = await reader.Http.PostAsync("/1.0/uploads", null);
        using var version = await reader.Http.PutAsync("/1.0/applications/app/amd64/versions/0", new StringContent($$"""{"digest":"{{blob.Digest}}","size":100}""", System.Text.Encoding.UTF8, "application/json"));
        using var delete = await reader.Http.DeleteAsync("/1.0/applications/app/amd64");

        foreach (var response in new[] { put, upload, version, delete })
        {
            var problem = await AssertProblem(response, HttpStatusCode.Forbidden, ProblemTypes.PublisherRoleRequired);
            Assert.Equal("client", problem.Role);
        }

        Assert.Empty(registry.StoredFiles());
    }

    /// <summary>The file's inode number: a rewrite (temp file + rename) would change it.</summary>
    private static async Task<string> InodeAsync(string path)
    {
        using var stat = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo("stat", ["-c", "%i", path]) { RedirectStandardOutput = true })!;
        var inode = (await stat.StandardOutput.ReadToEndAsync()).Trim();
        await stat.WaitForExitAsync();
        Assert.Matches("^[0-9]+$", inode);
        return inode;
    }

    private static Aar.Protocol.Certificates.Fingerprint Pin(string hex)
    {
        Assert.True(Aar.Protocol.Certificates.Fingerprint.TryParse(hex, out var pin));
        return pin;
    }

    /// <summary>A stream without a length, so HttpClient must send it chunked.</summary>
    private sealed class NonSeekableStream(byte[] bytes) : MemoryStream(bytes)
    {
        public override bool CanSeek => false;
    }
}
