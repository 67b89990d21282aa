using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using Aar.Protocol;
using Aar.Protocol.Admin;
using Aar.Protocol.Certificates;
using Aar.Protocol.Enrolment;
using Aar.Protocol.Http;
using Aar.Server.Tests.Postgres;
using TestSupport;
using Xunit.Abstractions;
using static Aar.Server.Tests.TrustEnforcementTests;

namespace Aar.Server.Tests;

/// <summary>A revocation refuses the certificate's key, not just the certificate: over real mutual TLS.</summary>
public sealed class KeyRevocationTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    [Theory]
    [InlineData("1.1")]
    [InlineData("2.0")]
    public async Task A_new_certificate_made_from_a_revoked_key_is_refused_on_requests_as_revoked_key(string httpVersion)
    {
        await using var server = await RegistryTestServer.StartAsync(output);
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var revoked = TestCertificates.FromKey(key, "ams-stolen");
        await server.TrustAsync(revoked);
        using var admin = server.Admin();
        Assert.True((await admin.RevokeAsync(TestCertificates.FingerprintOf(revoked))).Succeeded);
        using var reissued = TestCertificates.FromKey(key, "ams-stolen-again");
        Assert.NotEqual(TestCertificates.FingerprintOf(revoked), TestCertificates.FingerprintOf(reissued));
        using var client = server.Client(reissued, Version.Parse(httpVersion));

        using var response = await client.Http.GetAsync("/1.0");

        var problem = await AssertProblem(response, HttpStatusCode.Forbidden, ProblemTypes.RevokedCertificate);
        Assert.Equal(TestCertificates.FingerprintOf(reissued), problem.Fingerprint);
        Assert.Contains($"The key of certificate {TestCertificates.FingerprintOf(reissued)} was revoked", problem.Detail, StringComparison.Ordinal);
        Assert.Contains($"(with certificate {TestCertificates.FingerprintOf(revoked)})", problem.Detail, StringComparison.Ordinal);
        Assert.Contains("new key pair", problem.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_revocation_records_the_public_key_and_survives_a_restart()
    {
        await using var server = await RegistryTestServer.StartAsync(output);
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var revoked = TestCertificates.FromKey(key, "ams-1");
        await server.TrustAsync(revoked);
        using (var admin = server.Admin())
        {
            Assert.True((await admin.RevokeAsync(TestCertificates.FingerprintOf(revoked))).Succeeded);
        }

        await server.RestartAsync();

        using var after = server.Admin();
        var entry = Assert.Single((await after.ListRevokedAsync()).Value!);
        Assert.Equal((TestCertificates.FingerprintOf(revoked), CertificateFacts.PublicKeySha256(revoked)), (entry.Fingerprint, entry.PublicKey));
        using var reissued = TestCertificates.FromKey(key, "ams-1");
        using var client = server.Client(reissued);
        using var response = await client.Http.GetAsync("/1.0");
        await AssertProblem(response, HttpStatusCode.Forbidden, ProblemTypes.RevokedCertificate);
    }

    [Fact]
    public async Task Trust_add_of_a_certificate_made_from_a_revoked_key_is_refused_and_trusts_nothing()
    {
        await using var server = await RegistryTestServer.StartAsync(output);
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var revoked = TestCertificates.FromKey(key, "ams-1");
        await server.TrustAsync(revoked);
        using var admin = server.Admin();
        Assert.True((await admin.RevokeAsync(TestCertificates.FingerprintOf(revoked))).Succeeded);
        using var reissued = TestCertificates.FromKey(key, "ams-1");

        var added = await admin.AddAsync(new AddTrustRequest { Certificate = TestCertificates.Pem(reissued), Role = "publisher" });

        Assert.False(added.Succeeded);
        Assert.Equal((ProblemTypes.CertificateRevoked, 409, "Key revoked"), (added.Problem!.Type, added.Problem.Status, added.Problem.Title));
        Assert.Equal(TestCertificates.FingerprintOf(reissued), added.Problem.Fingerprint);
        Assert.Contains($"made from a key that was revoked on", added.Problem.Detail, StringComparison.Ordinal);
        Assert.Contains($"(with certificate {TestCertificates.FingerprintOf(revoked)})", added.Problem.Detail, StringComparison.Ordinal);
        Assert.Empty((await admin.ListTrustedAsync()).Value!);
    }

    [Fact]
    public async Task A_join_token_does_not_enrol_a_certificate_made_from_a_revoked_key_and_stays_unused()
    {
        await using var server = await RegistryTestServer.StartAsync(output);
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var revoked = TestCertificates.FromKey(key, "ams-1");
        await server.TrustAsync(revoked);
        using var admin = server.Admin();
        Assert.True((await admin.RevokeAsync(TestCertificates.FingerprintOf(revoked))).Succeeded);
        var token = await EnrolmentTests.CreateTokenAsync(server, new CreateTokenRequest { Role = "publisher" });
        using var reissued = TestCertificates.FromKey(key, "ams-1");

        var joined = await EnrolmentClient.JoinAsync(token, reissued, null, Timeout);

        Assert.False(joined.Succeeded);
        Assert.Equal(ProblemTypes.RevokedCertificate, joined.Problem!.Type);
        Assert.Contains("key of certificate", joined.Problem.Detail, StringComparison.Ordinal);
        Assert.Empty((await admin.ListTrustedAsync()).Value!);
        Assert.Single((await admin.ListTokensAsync()).Value!);
    }

    [Fact]
    public async Task A_certificate_revoked_in_advance_by_fingerprint_refuses_only_itself_since_its_key_was_never_seen()
    {
        await using var server = await RegistryTestServer.StartAsync(output);
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var blocked = TestCertificates.FromKey(key, "ams-1");
        using var admin = server.Admin();
        Assert.True((await admin.RevokeAsync(TestCertificates.FingerprintOf(blocked))).Succeeded);
        using var other = TestCertificates.FromKey(key, "ams-1");

        using (var client = server.Client(blocked))
        using (var response = await client.Http.GetAsync("/1.0"))
        {
            var problem = await AssertProblem(response, HttpStatusCode.Forbidden, ProblemTypes.RevokedCertificate);
            Assert.Equal($"Certificate {TestCertificates.FingerprintOf(blocked)} has been revoked and is refused for good; this client needs a new key pair and certificate, added with 'aar trust add'.", problem.Detail);
        }

        Assert.Null(Assert.Single((await admin.ListRevokedAsync()).Value!).PublicKey);
        Assert.True((await admin.AddAsync(new AddTrustRequest { Certificate = TestCertificates.Pem(other), Role = "client" })).Succeeded);
    }

    [Fact]
    public async Task Revoking_a_certificate_revokes_the_other_trusted_certificates_of_its_key_and_leaves_other_keys_alone()
    {
        await using var server = await RegistryTestServer.StartAsync(output);
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var first = TestCertificates.FromKey(key, "ams-1");
        using var second = TestCertificates.FromKey(key, "ams-1-renewed");
        using var bystander = TestCertificates.Client("ams-2");
        await server.TrustAsync(first);
        await server.TrustAsync(second);
        await server.TrustAsync(bystander);
        using var admin = server.Admin();

        var revoke = await admin.RevokeAsync(TestCertificates.FingerprintOf(first));

        Assert.True(revoke.Succeeded, revoke.Problem?.Detail);
        Assert.Contains("1 other trusted certificate(s) made from the same key were revoked with it", revoke.Value!.Message, StringComparison.Ordinal);
        var revokedKeys = (await admin.ListRevokedAsync()).Value!.ToDictionary(r => r.Fingerprint, r => r.PublicKey, StringComparer.Ordinal);
        Assert.Equal(
            new Dictionary<string, string?>(StringComparer.Ordinal)
            {
                [TestCertificates.FingerprintOf(first)] = CertificateFacts.PublicKeySha256(first),
                [TestCertificates.FingerprintOf(second)] = CertificateFacts.PublicKeySha256(first),
            },
            revokedKeys);
        Assert.Equal([TestCertificates.FingerprintOf(bystander)], (await admin.ListTrustedAsync()).Value!.Select(e => e.Fingerprint));
        using (var secondClient = server.Client(second))
        using (var refused = await secondClient.Http.GetAsync("/1.0"))
        {
            await AssertProblem(refused, HttpStatusCode.Forbidden, ProblemTypes.RevokedCertificate);
        }

        using var bystanderClient = server.Client(bystander);
        using var allowed = await bystanderClient.Http.GetAsync("/1.0");
        Assert.Equal(HttpStatusCode.OK, allowed.StatusCode);
    }

    [PostgresFact]
    public async Task A_key_revoked_through_node_A_is_refused_by_node_B_on_requests_and_on_trust_add()
    {
        await using var database = await TestDatabase.CreatePostgresAsync();
        await using var nodeA = await RegistryTestServer.StartAsync(output, database: database);
        await using var nodeB = await RegistryTestServer.StartAsync(output, database: database);
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var revoked = TestCertificates.FromKey(key, "ams-1");
        await nodeA.TrustAsync(revoked);
        using (var admin = nodeA.Admin())
        {
            Assert.True((await admin.RevokeAsync(TestCertificates.FingerprintOf(revoked))).Succeeded);
        }

        using var reissued = TestCertificates.FromKey(key, "ams-1");
        using var adminB = nodeB.Admin();
        var added = await adminB.AddAsync(new AddTrustRequest { Certificate = TestCertificates.Pem(reissued), Role = "client" });
        Assert.Equal((ProblemTypes.CertificateRevoked, "Key revoked"), (added.Problem!.Type, added.Problem.Title));

        // B decides requests on its snapshot, refreshed by A's notification (or per request while not following);
        // the bound on how stale it may be is not this test's subject, so it waits generously for the notice.
        using var client = nodeB.Client(reissued);
        Problem? problem = null;
        for (var deadline = DateTime.UtcNow.AddSeconds(15); DateTime.UtcNow < deadline; await Task.Delay(100))
        {
            using var response = await client.Http.GetAsync("/1.0");
            problem = await response.Content.ReadFromJsonAsync(ProtocolJsonContext.Default.Problem);
            if (problem?.Type == ProblemTypes.RevokedCertificate)
            {
                break;
            }
        }

        Assert.Equal(ProblemTypes.RevokedCertificate, problem?.Type);
        Assert.Contains($"The key of certificate {TestCertificates.FingerprintOf(reissued)} was revoked", problem!.Detail, StringComparison.Ordinal);
    }
}
