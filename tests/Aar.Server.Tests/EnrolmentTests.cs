using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography.X509Certificates;
using Aar.Protocol;
using Aar.Protocol.Enrolment;
using Aar.Protocol.Http;
using Microsoft.Extensions.Time.Testing;
using TestSupport;
using Xunit.Abstractions;

namespace Aar.Server.Tests;

/// <summary>One-step enrolment with join tokens, over real mutual TLS.</summary>
public sealed class EnrolmentTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task A_publisher_token_enrols_the_presenting_certificate_as_publisher_once()
    {
        await using var server = await RegistryTestServer.StartAsync(output);
        var token = await CreateTokenAsync(server, new CreateTokenRequest { Role = "publisher", Name = "publisher-amd64" });
        using var ams = TestCertificates.Client("ams-pub");

        var joined = await EnrolmentClient.JoinAsync(token, ams, name: null, Timeout);

        Assert.True(joined.Succeeded, joined.Problem?.Detail);
        Assert.Equal(TestCertificates.FingerprintOf(ams), joined.Value!.Response.Fingerprint);
        Assert.Equal(("publisher", "publisher-amd64"), (joined.Value.Response.Role, joined.Value.Response.Name));
        using var serverCertificate = X509Certificate2.CreateFromPem(joined.Value.Response.ServerCertificate);
        Assert.Equal(server.ServerFingerprint, TestCertificates.FingerprintOf(serverCertificate));
        Assert.Equal(server.Address.Port, joined.Value.RegistryUrl.Port);
        using var client = server.Client(ams);
        var info = await client.Http.GetFromJsonAsync("/1.0", ProtocolJsonContext.Default.ServerInfo);
        Assert.Equal("publisher", info!.Role);
        using var admin = server.Admin();
        Assert.Empty((await admin.ListTokensAsync()).Value!);
    }

    [Fact]
    public async Task A_used_token_cannot_enrol_a_second_certificate()
    {
        await using var server = await RegistryTestServer.StartAsync(output);
        var token = await CreateTokenAsync(server, new CreateTokenRequest());
        using var first = TestCertificates.Client("first");
        using var second = TestCertificates.Client("second");
        Assert.True((await EnrolmentClient.JoinAsync(token, first, null, Timeout)).Succeeded);

        var again = await EnrolmentClient.JoinAsync(token, second, null, Timeout);

        Assert.Equal(ProblemTypes.InvalidJoinToken, again.Problem!.Type);
        Assert.Contains("aar trust token create", again.Problem.Detail, StringComparison.Ordinal);
        using var admin = server.Admin();
        Assert.Equal([TestCertificates.FingerprintOf(first)], (await admin.ListTrustedAsync()).Value!.Select(e => e.Fingerprint));
    }

    [Fact]
    public async Task Two_certificates_racing_with_one_token_enrol_exactly_one()
    {
        await using var server = await RegistryTestServer.StartAsync(output);
        var token = await CreateTokenAsync(server, new CreateTokenRequest());
        var certificates = Enumerable.Range(0, 6).Select(i => TestCertificates.Client($"racer{i}")).ToList();

        var results = await Task.WhenAll(certificates.Select(c => EnrolmentClient.JoinAsync(token, c, null, Timeout)));

        Assert.Single(results, r => r.Succeeded);
        Assert.All(results.Where(r => !r.Succeeded), r => Assert.Equal(ProblemTypes.InvalidJoinToken, r.Problem!.Type));
        using var admin = server.Admin();
        Assert.Single((await admin.ListTrustedAsync()).Value!);
        certificates.ForEach(c => c.Dispose());
    }

    [Fact]
    public async Task An_expired_token_is_refused_and_trusts_nothing()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var server = await RegistryTestServer.StartAsync(output, time: time);
        var token = await CreateTokenAsync(server, new CreateTokenRequest { ExpiresInSeconds = 900 });
        using var ams = TestCertificates.Client();
        time.Advance(TimeSpan.FromMinutes(16));

        var joined = await EnrolmentClient.JoinAsync(token, ams, null, Timeout);

        Assert.Equal(ProblemTypes.ExpiredJoinToken, joined.Problem!.Type);
        using var admin = server.Admin();
        Assert.Empty((await admin.ListTrustedAsync()).Value!);
    }

    [Fact]
    public async Task A_revoked_certificate_cannot_enrol_and_the_token_stays_unused()
    {
        await using var server = await RegistryTestServer.StartAsync(output);
        var token = await CreateTokenAsync(server, new CreateTokenRequest());
        using var ams = TestCertificates.Client();
        using var admin = server.Admin();
        Assert.True((await admin.RevokeAsync(TestCertificates.FingerprintOf(ams))).Succeeded);

        var joined = await EnrolmentClient.JoinAsync(token, ams, null, Timeout);

        Assert.Equal(ProblemTypes.RevokedCertificate, joined.Problem!.Type);
        Assert.Empty((await admin.ListTrustedAsync()).Value!);
        Assert.Single((await admin.ListTokensAsync()).Value!);
    }

    [Fact]
    public async Task A_deleted_token_is_refused()
    {
        await using var server = await RegistryTestServer.StartAsync(output);
        using var admin = server.Admin();
        var created = (await admin.CreateTokenAsync(new CreateTokenRequest())).Value!;
        Assert.True((await admin.DeleteTokenAsync(created.Entry.Id)).Succeeded);
        JoinToken.TryDecode(created.Token, out var token, out _);
        using var ams = TestCertificates.Client();

        var joined = await EnrolmentClient.JoinAsync(token!, ams, null, Timeout);

        Assert.Equal(ProblemTypes.InvalidJoinToken, joined.Problem!.Type);
        Assert.Equal(ProblemTypes.NotFound, (await admin.DeleteTokenAsync(created.Entry.Id)).Problem!.Type);
    }

    [Fact]
    public async Task A_server_with_another_certificate_is_refused_with_both_fingerprints_and_the_token_is_kept()
    {
        await using var server = await RegistryTestServer.StartAsync(output);
        var genuine = await CreateTokenAsync(server, new CreateTokenRequest());
        var pinnedElsewhere = genuine with { Fingerprint = new string('a', 64) };
        using var ams = TestCertificates.Client();

        var joined = await EnrolmentClient.JoinAsync(pinnedElsewhere, ams, null, Timeout);

        Assert.Equal(ProblemTypes.Unreachable, joined.Problem!.Type);
        Assert.Contains(server.ServerFingerprint, joined.Problem.Detail, StringComparison.Ordinal);
        Assert.Contains(new string('a', 64), joined.Problem.Detail, StringComparison.Ordinal);
        Assert.True((await EnrolmentClient.JoinAsync(genuine, ams, null, Timeout)).Succeeded);
    }

    [Fact]
    public async Task Unreachable_addresses_are_tried_in_order_and_reported()
    {
        await using var server = await RegistryTestServer.StartAsync(output);
        var token = await CreateTokenAsync(server, new CreateTokenRequest());
        var closedPort = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        closedPort.Start();
        var dead = $"127.0.0.1:{((IPEndPoint)closedPort.LocalEndpoint).Port}";
        closedPort.Stop();
        using var ams = TestCertificates.Client();

        var viaSecond = await EnrolmentClient.JoinAsync(token with { Addresses = [dead, .. token.Addresses] }, ams, null, Timeout);
        var none = await EnrolmentClient.JoinAsync(token with { Addresses = [dead] }, ams, null, Timeout);

        Assert.True(viaSecond.Succeeded, viaSecond.Problem?.Detail);
        Assert.Equal(ProblemTypes.Unreachable, none.Problem!.Type);
        Assert.Contains(dead, none.Problem.Detail, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("admin", 3600, null, "Role 'admin' is unknown")]
    [InlineData("client", 10, null, "must live between")]
    [InlineData("client", 40L * 24 * 3600, null, "must live between")]
    [InlineData("client", 3600, "no-port", "is not host:port")]
    [InlineData("client", 3600, "[::1:3000", "is not host:port")]
    [InlineData("client", 3600, "host:0", "is not host:port")]
    public async Task Bad_token_requests_are_refused(string role, long seconds, string? address, string expected)
    {
        await using var server = await RegistryTestServer.StartAsync(output);
        using var admin = server.Admin();

        var result = await admin.CreateTokenAsync(new CreateTokenRequest { Role = role, ExpiresInSeconds = seconds, Addresses = address is null ? [] : [address] });

        Assert.Equal(ProblemTypes.InvalidRequest, result.Problem!.Type);
        Assert.Contains(expected, result.Problem.Detail, StringComparison.Ordinal);
        Assert.Empty((await admin.ListTokensAsync()).Value!);
    }

    [Theory]
    [InlineData("{}")]
    [InlineData("not json")]
    [InlineData("""{"secret": 5}""")]
    public async Task Malformed_enrol_bodies_get_a_problem_and_trust_nothing(string body)
    {
        await using var server = await RegistryTestServer.StartAsync(output);
        using var ams = TestCertificates.Client();
        using var client = server.Client(ams);

        using var response = await client.Http.PostAsync("/1.0/enrol", new StringContent(body, System.Text.Encoding.UTF8, "application/json"));

        await TrustEnforcementTests.AssertProblem(response, HttpStatusCode.BadRequest, ProblemTypes.InvalidRequest);
        using var admin = server.Admin();
        Assert.Empty((await admin.ListTrustedAsync()).Value!);
    }

    [Fact]
    public async Task A_wrong_secret_is_refused()
    {
        await using var server = await RegistryTestServer.StartAsync(output);
        var token = await CreateTokenAsync(server, new CreateTokenRequest());
        using var ams = TestCertificates.Client();

        var joined = await EnrolmentClient.JoinAsync(token with { Secret = "guessed" }, ams, null, Timeout);

        Assert.Equal(ProblemTypes.InvalidJoinToken, joined.Problem!.Type);
    }

    internal static async Task<JoinToken> CreateTokenAsync(RegistryTestServer server, CreateTokenRequest request)
    {
        using var admin = server.Admin();
        var created = await admin.CreateTokenAsync(request);
        Assert.True(created.Succeeded, created.Problem?.Detail);
        Assert.True(JoinToken.TryDecode(created.Value!.Token, out var token, out var error), error);
        Assert.Equal(server.ServerFingerprint, token!.Fingerprint);
        Assert.Equal([$"127.0.0.1:{server.Address.Port}"], token.Addresses);
        return token;
    }
}
