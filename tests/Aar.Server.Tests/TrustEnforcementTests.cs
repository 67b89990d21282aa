using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using Aar.Protocol;
using Aar.Protocol.Chunking;
using Aar.Protocol.Http;
using Aar.Protocol.Registry;
using TestSupport;
using Xunit.Abstractions;

namespace Aar.Server.Tests;

/// <summary>Per-request trust over real Kestrel and real mutual TLS.</summary>
public sealed class TrustEnforcementTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Trusted_client_sees_its_own_fingerprint_and_role()
    {
        await using var server = await RegistryTestServer.StartAsync(output);
        using var certificate = TestCertificates.Client("ams-eu-1");
        await server.TrustAsync(certificate, TrustRole.Client);
        using var client = server.Client(certificate);

        using var response = await client.Http.GetAsync("/1.0");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var info = await response.Content.ReadFromJsonAsync(ProtocolJsonContext.Default.ServerInfo);
        Assert.Equal(new ServerInfo
        {
            ServerVersion = info!.ServerVersion,
            ApiVersion = "1.0",
            Fingerprint = TestCertificates.FingerprintOf(certificate),
            Role = "client",
            Name = "ams-eu-1",
            CertificateExpiresAt = new DateTimeOffset(certificate.NotAfter.ToUniversalTime()),
        }, info);
        Assert.Matches(@"^\d+\.\d+\.\d+", info.ServerVersion);
    }

    [Fact]
    public async Task Unknown_client_gets_403_naming_its_fingerprint()
    {
        await using var server = await RegistryTestServer.StartAsync(output);
        using var stranger = TestCertificates.Client("stranger");
        using var client = server.Client(stranger);

        using var response = await client.Http.GetAsync("/1.0");

        var problem = await AssertProblem(response, HttpStatusCode.Forbidden, ProblemTypes.UntrustedCertificate);
        Assert.Equal(TestCertificates.FingerprintOf(stranger), problem.Fingerprint);
        Assert.Contains("aar trust add", problem.Detail, StringComparison.Ordinal);
    }

    public static TheoryData<string, string, string> LiveChanges => new()
    {
        { "1.1", "remove", ProblemTypes.UntrustedCertificate },
        { "1.1", "revoke", ProblemTypes.RevokedCertificate },
        { "2.0", "remove", ProblemTypes.UntrustedCertificate },
        { "2.0", "revoke", ProblemTypes.RevokedCertificate },
    };

    [Theory]
    [MemberData(nameof(LiveChanges))]
    public async Task A_trust_change_applies_to_the_next_request_on_an_already_open_connection(string httpVersion, string change, string expectedType)
    {
        await using var server = await RegistryTestServer.StartAsync(output);
        using var certificate = TestCertificates.Client();
        await server.TrustAsync(certificate);
        using var client = server.Client(certificate, Version.Parse(httpVersion));
        using (var before = await client.Http.GetAsync("/1.0"))
        {
            Assert.Equal(HttpStatusCode.OK, before.StatusCode);
            Assert.Equal(Version.Parse(httpVersion), before.Version);
        }

        using (var admin = server.Admin())
        {
            var fingerprint = TestCertificates.FingerprintOf(certificate);
            var result = change == "remove" ? await admin.RemoveAsync(fingerprint) : await admin.RevokeAsync(fingerprint);
            Assert.True(result.Succeeded, result.Problem?.Detail);
        }

        using var after = await client.Http.GetAsync("/1.0");

        await AssertProblem(after, HttpStatusCode.Forbidden, expectedType);
        Assert.Equal(1, client.Connections);
    }

    [Fact]
    public async Task Re_adding_a_removed_certificate_restores_access_on_the_same_connection()
    {
        await using var server = await RegistryTestServer.StartAsync(output);
        using var certificate = TestCertificates.Client();
        await server.TrustAsync(certificate);
        using var client = server.Client(certificate);
        using var admin = server.Admin();
        Assert.True((await admin.RemoveAsync(TestCertificates.FingerprintOf(certificate))).Succeeded);
        using (var refused = await client.Http.GetAsync("/1.0"))
        {
            Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        }

        await server.TrustAsync(certificate);
        using var allowed = await client.Http.GetAsync("/1.0");

        Assert.Equal(HttpStatusCode.OK, allowed.StatusCode);
        Assert.Equal(1, client.Connections);
    }

    [Theory]
    [InlineData("POST", "/1.0/uploads")]
    [InlineData("PUT", "/1.0/applications/game/amd64/versions/0")]
    [InlineData("PUT", "/1.0/blobs/sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef")]
    [InlineData("PATCH", "/1.0/uploads/0123456789abcdef")]
    [InlineData("DELETE", "/1.0/applications/game/amd64")]
    [InlineData("DELETE", "/1.0/Applications/game/amd64/versions/0")]
    [InlineData("POST", "/1.0/chunks/lookup")]
    [InlineData("POST", "/1.0/uploads/0123456789abcdef/copy")]
    public async Task A_client_role_certificate_cannot_write(string method, string path)
    {
        await using var server = await RegistryTestServer.StartAsync(output);
        using var certificate = TestCertificates.Client("reader");
        await server.TrustAsync(certificate, TrustRole.Client);
        using var client = server.Client(certificate);

        using var response = await client.Http.SendAsync(new HttpRequestMessage(new HttpMethod(method), path));

        var problem = await AssertProblem(response, HttpStatusCode.Forbidden, ProblemTypes.PublisherRoleRequired);
        Assert.Equal(TestCertificates.FingerprintOf(certificate), problem.Fingerprint);
        Assert.Equal("client", problem.Role);
        Assert.Contains(TestCertificates.FingerprintOf(certificate), problem.Detail, StringComparison.Ordinal);
        Assert.Contains("client role", problem.Detail, StringComparison.Ordinal);
    }

    /// <summary>
    /// The delta routes (a blob's chunk index, its batched range read and fine signatures, the chunk lookup and the copy into a session) sit
    /// behind the same gate as the rest: each request here is well-formed and names a stored blob and a live session, so
    /// without the gate it would succeed (the revoked certificate is the session's own publisher).
    /// </summary>
    [Theory]
    [InlineData("untrusted")]
    [InlineData("revoked")]
    public async Task An_untrusted_or_revoked_certificate_gets_403_on_every_delta_route(string who)
    {
        await using var registry = await StorageRegistry.StartAsync(output);
        var blob = TestBlob.Random(200_000);
        (await registry.PutBlobAsync(blob)).EnsureSuccessStatusCode();
        var session = await UploadSessionTests.StartAsync(registry);
        using var stranger = TestCertificates.Client("stranger");
        var certificate = who == "revoked" ? registry.PublisherCertificate : stranger;
        using var strangerClient = registry.Server.Client(stranger);
        var caller = who == "revoked" ? registry.Publisher : strangerClient;
        if (who == "revoked")
        {
            using var before = await caller.Http.GetAsync(RegistryRoutes.BlobChunks(blob.Digest));
            Assert.Equal(HttpStatusCode.OK, before.StatusCode);
            using var admin = registry.Server.Admin();
            Assert.True((await admin.RevokeAsync(TestCertificates.FingerprintOf(certificate))).Succeeded);
        }

        HttpContent Octets(byte[] body) => new ByteArrayContent(body) { Headers = { ContentType = new MediaTypeHeaderValue("application/octet-stream") } };
        var requests = new Func<Task<HttpResponseMessage>>[]
        {
            () => caller.Http.GetAsync(RegistryRoutes.BlobChunks(blob.Digest)),
            () => caller.Http.PostAsync(RegistryRoutes.BlobRanges(blob.Digest), Octets(ByteRanges.Serialize([new(0, 1000)]))),
            () => caller.Http.PostAsync(RegistryRoutes.BlobSignatures(blob.Digest), Octets(ByteRanges.Serialize([new(0, 1000)]))),
            () => caller.Http.PostAsync(RegistryRoutes.ChunkLookup, Octets(new byte[32])),
            () => caller.Http.PostAsync(RegistryRoutes.UploadCopy(session.Id), JsonContent.Create(new UploadCopyRequest { Offset = 0, Ranges = [new BlobRange { Blob = blob.Digest.ToString(), Offset = 0, Length = 1000 }] }, ProtocolJsonContext.Default.UploadCopyRequest)),
        };

        foreach (var request in requests)
        {
            using var response = await request();
            var problem = await AssertProblem(response, HttpStatusCode.Forbidden, who == "revoked" ? ProblemTypes.RevokedCertificate : ProblemTypes.UntrustedCertificate);
            Assert.Equal(TestCertificates.FingerprintOf(certificate), problem.Fingerprint);
        }

        // The refused copy moved nothing into the session.
        Assert.Equal(0, registry.StagedBytes(session.Id));
    }

    [Fact]
    public async Task A_publisher_certificate_passes_the_write_gate()
    {
        await using var server = await RegistryTestServer.StartAsync(output);
        using var certificate = TestCertificates.Client("publisher");
        await server.TrustAsync(certificate, TrustRole.Publisher);
        using var client = server.Client(certificate);

        using var response = await client.Http.PostAsync("/1.0/no-such-route", content: null);

        // Past the gate the request meets routing: not a 403, but the API's own 404 problem.
        await AssertProblem(response, HttpStatusCode.NotFound, ProblemTypes.NotFound);
    }

    [Fact]
    public async Task Admin_routes_are_not_served_over_tls_and_registry_routes_not_over_the_socket()
    {
        await using var server = await RegistryTestServer.StartAsync(output);
        using var certificate = TestCertificates.Client();
        await server.TrustAsync(certificate, TrustRole.Publisher);
        using var client = server.Client(certificate);
        using var socket = UnixSocketHttp.CreateClient(server.Host.SocketPath);

        using var adminOverTls = await client.Http.GetAsync("/admin/1.0/trust");
        using var registryOverSocket = await socket.GetAsync("/1.0");

        await AssertProblem(adminOverTls, HttpStatusCode.NotFound, ProblemTypes.NotFound);
        await AssertProblem(registryOverSocket, HttpStatusCode.NotFound, ProblemTypes.NotFound);
    }

    internal static async Task<Problem> AssertProblem(HttpResponseMessage response, HttpStatusCode status, string type)
    {
        Assert.Equal(status, response.StatusCode);
        Assert.Equal(ApiResponses.ProblemContentType, response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadFromJsonAsync(ProtocolJsonContext.Default.Problem);
        Assert.NotNull(problem);
        Assert.Equal(type, problem.Type);
        Assert.Equal((int)status, problem.Status);
        Assert.False(string.IsNullOrWhiteSpace(problem.Detail));
        return problem;
    }
}
