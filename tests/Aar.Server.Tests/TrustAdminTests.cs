using System.Net;
using Aar.Protocol.Admin;
using Aar.Protocol.Http;
using Aar.Protocol.Registry;
using TestSupport;
using Xunit.Abstractions;

namespace Aar.Server.Tests;

/// <summary>The admin API behind <c>aar trust</c>: every bad input is refused with a clear problem and changes nothing.</summary>
public sealed class TrustAdminTests(ITestOutputHelper output)
{
    public static TheoryData<string, string, string> BadCertificates()
    {
        using var one = TestCertificates.Client("one");
        using var two = TestCertificates.Client("two");
        using var ca = TestCertificates.IntermediateAuthority();
        using var expired = TestCertificates.ValidBetween("expired", TimeSpan.FromDays(-30), TimeSpan.FromDays(-1));
        return new TheoryData<string, string, string>
        {
            { "empty", "", "is empty" },
            { "whitespace", "  \n\t ", "is empty" },
            { "garbage", "this is not a certificate at all", "is not PEM" },
            { "binary", "\u0001\u0002\u0003\u00ff", "is not PEM" },
            { "private key", TestCertificates.PrivateKeyPem(one), "private key" },
            { "key after cert", TestCertificates.Pem(one) + TestCertificates.PrivateKeyPem(one), "private key" },
            { "two certificates", TestCertificates.Pem(one) + TestCertificates.Pem(two), "2 certificates" },
            { "truncated base64", "-----BEGIN CERTIFICATE-----\nMIIBkTCB+w==\n-----END CERTIFICATE-----\n", "not a valid X.509 certificate" },
            { "other PEM block", "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n", "no CERTIFICATE block" },
            { "CA certificate", TestCertificates.Pem(ca), "CA certificate" },
            { "expired", TestCertificates.Pem(expired), "expired on" },
        };
    }

    [Theory]
    [MemberData(nameof(BadCertificates))]
    public async Task Bad_certificates_are_refused_and_nothing_is_stored(string what, string pem, string expectedDetail)
    {
        await using var server = await RegistryTestServer.StartAsync(output);
        using var admin = server.Admin();

        var result = await admin.AddAsync(new AddTrustRequest { Certificate = pem });

        Assert.False(result.Succeeded, what);
        Assert.Equal(ProblemTypes.InvalidCertificate, result.Problem!.Type);
        Assert.Equal(400, result.Problem.Status);
        Assert.Contains(expectedDetail, result.Problem.Detail, StringComparison.Ordinal);
        Assert.Empty((await admin.ListTrustedAsync()).Value!);
    }

    [Fact]
    public async Task A_self_signed_certificate_made_by_plain_openssl_req_x509_is_trusted_by_its_fingerprint_and_served()
    {
        await using var server = await RegistryTestServer.StartAsync(output);
        using var temp = new TempDirectory();
        var (crt, key) = (temp.Combine("client.crt"), temp.Combine("client.key"));
        // What an operator types without knowing about basicConstraints: openssl marks the certificate CA:TRUE.
        var openssl = System.Diagnostics.Process.Start("openssl", ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
            "-keyout", key, "-out", crt, "-days", "30", "-subj", "/CN=openssl-ams"])!;
        await openssl.WaitForExitAsync();
        Assert.Equal(0, openssl.ExitCode);
        using var certificate = System.Security.Cryptography.X509Certificates.X509Certificate2.CreateFromPemFile(crt, key);
        Assert.True(Aar.Protocol.Certificates.CertificateFacts.IsCertificateAuthority(certificate), "openssl made a leaf: the test proves nothing");
        using var admin = server.Admin();

        var added = await admin.AddAsync(new AddTrustRequest { Certificate = await File.ReadAllTextAsync(crt) });

        Assert.True(added.Succeeded, added.Problem?.Detail);
        using var client = server.Client(certificate);
        using var response = await client.Http.GetAsync(new Uri("/1.0/applications", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task A_malformed_json_body_is_a_400_problem()
    {
        await using var server = await RegistryTestServer.StartAsync(output);
        using var socket = UnixSocketHttp.CreateClient(server.Host.SocketPath);

        using var response = await socket.PostAsync(AdminRoutes.Trust, new StringContent("{not json", System.Text.Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }

    [Fact]
    public async Task Adding_twice_is_idempotent_and_says_so()
    {
        await using var server = await RegistryTestServer.StartAsync(output);
        using var admin = server.Admin();
        using var certificate = TestCertificates.Client("twice");
        var request = new AddTrustRequest { Certificate = TestCertificates.Pem(certificate) };

        var first = await admin.AddAsync(request);
        var second = await admin.AddAsync(request);

        Assert.True(first.Value!.Changed);
        Assert.False(second.Value!.Changed);
        Assert.Contains("already trusted as client", second.Value.Message, StringComparison.Ordinal);
        Assert.Single((await admin.ListTrustedAsync()).Value!);
    }

    [Fact]
    public async Task Adding_with_another_role_is_a_conflict_that_says_how_to_change_it()
    {
        await using var server = await RegistryTestServer.StartAsync(output);
        using var admin = server.Admin();
        using var certificate = TestCertificates.Client();
        await server.TrustAsync(certificate, TrustRole.Client);

        var result = await admin.AddAsync(new AddTrustRequest { Certificate = TestCertificates.Pem(certificate), Role = "publisher" });

        Assert.Equal(ProblemTypes.RoleConflict, result.Problem!.Type);
        Assert.Contains("aar trust remove", result.Problem.Detail, StringComparison.Ordinal);
        Assert.Equal("client", (await admin.ListTrustedAsync()).Value!.Single().Role);
    }

    [Theory]
    [InlineData("admin")]
    [InlineData("")]
    [InlineData("Publisher")]
    public async Task Unknown_roles_are_refused(string role)
    {
        await using var server = await RegistryTestServer.StartAsync(output);
        using var admin = server.Admin();
        using var certificate = TestCertificates.Client();

        var result = await admin.AddAsync(new AddTrustRequest { Certificate = TestCertificates.Pem(certificate), Role = role });

        Assert.Equal(ProblemTypes.InvalidRequest, result.Problem!.Type);
        Assert.Empty((await admin.ListTrustedAsync()).Value!);
    }

    [Theory]
    [InlineData("bad\u0000name")]
    [InlineData("line\nbreak")]
    public async Task Names_with_control_characters_are_refused(string name)
    {
        await using var server = await RegistryTestServer.StartAsync(output);
        using var admin = server.Admin();
        using var certificate = TestCertificates.Client();

        var result = await admin.AddAsync(new AddTrustRequest { Certificate = TestCertificates.Pem(certificate), Name = name });

        Assert.Equal(ProblemTypes.InvalidRequest, result.Problem!.Type);
    }

    [Fact]
    public async Task A_revoked_certificate_can_never_be_added_again()
    {
        await using var server = await RegistryTestServer.StartAsync(output);
        using var admin = server.Admin();
        using var certificate = TestCertificates.Client("compromised");
        await server.TrustAsync(certificate, TrustRole.Publisher);
        var fingerprint = TestCertificates.FingerprintOf(certificate);
        Assert.True((await admin.RevokeAsync(fingerprint[..12])).Succeeded);

        var again = await admin.AddAsync(new AddTrustRequest { Certificate = TestCertificates.Pem(certificate), Role = "publisher" });

        Assert.Equal(ProblemTypes.CertificateRevoked, again.Problem!.Type);
        Assert.Equal(409, again.Problem.Status);
        Assert.Empty((await admin.ListTrustedAsync()).Value!);
        var revoked = Assert.Single((await admin.ListRevokedAsync()).Value!);
        Assert.Equal(fingerprint, revoked.Fingerprint);
        Assert.Equal("compromised", revoked.Name);
    }

    [Fact]
    public async Task Revoking_twice_is_idempotent()
    {
        await using var server = await RegistryTestServer.StartAsync(output);
        using var admin = server.Admin();
        using var certificate = TestCertificates.Client();
        await server.TrustAsync(certificate);
        var fingerprint = TestCertificates.FingerprintOf(certificate);

        Assert.True((await admin.RevokeAsync(fingerprint)).Value!.Changed);
        var second = await admin.RevokeAsync(fingerprint);

        Assert.False(second.Value!.Changed);
        Assert.Contains("already revoked", second.Value.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_full_fingerprint_that_was_never_trusted_can_be_revoked_in_advance()
    {
        await using var server = await RegistryTestServer.StartAsync(output);
        using var admin = server.Admin();
        using var certificate = TestCertificates.Client();
        var fingerprint = TestCertificates.FingerprintOf(certificate);

        Assert.True((await admin.RevokeAsync(fingerprint)).Succeeded);
        var add = await admin.AddAsync(new AddTrustRequest { Certificate = TestCertificates.Pem(certificate) });

        Assert.Equal(ProblemTypes.CertificateRevoked, add.Problem!.Type);
    }

    [Theory]
    [InlineData("abc", ProblemTypes.InvalidRequest, "too short")]
    [InlineData("zzzzzzzzzzzzzz", ProblemTypes.InvalidRequest, "not a fingerprint")]
    [InlineData("000000000000000", ProblemTypes.UnknownFingerprint, "No trusted certificate")]
    public async Task Bad_or_unknown_prefixes_are_refused_for_remove_and_revoke(string prefix, string type, string detail)
    {
        await using var server = await RegistryTestServer.StartAsync(output);
        using var admin = server.Admin();
        using var certificate = TestCertificates.Client();
        await server.TrustAsync(certificate);

        var remove = await admin.RemoveAsync(prefix);
        var revoke = await admin.RevokeAsync(prefix);

        Assert.Equal(type, remove.Problem!.Type);
        Assert.Equal(type, revoke.Problem!.Type);
        Assert.Contains(detail, remove.Problem.Detail, StringComparison.Ordinal);
        Assert.Single((await admin.ListTrustedAsync()).Value!);
        Assert.Empty((await admin.ListRevokedAsync()).Value!);
    }

    [Fact]
    public async Task An_ambiguous_prefix_is_refused_and_lists_the_candidates()
    {
        // Two real certificates sharing 12 hex characters cannot be made on demand, so two rows with crafted
        // fingerprints are written into the database of a stopped server, which then starts on it.
        await using var server = await RegistryTestServer.StartAsync(output);
        await server.StopAsync();
        var shared = "abcdef012345";
        await TrustRows.InsertAsync(server.Database, shared + new string('1', 52), "first");
        await TrustRows.InsertAsync(server.Database, shared + new string('2', 52), "second");
        await server.RestartAsync();
        using var admin = server.Admin();

        var remove = await admin.RemoveAsync(shared);
        var revoke = await admin.RevokeAsync(shared);
        var exact = await admin.RemoveAsync(shared + "1");

        Assert.Equal(ProblemTypes.AmbiguousFingerprint, remove.Problem!.Type);
        Assert.Equal(ProblemTypes.AmbiguousFingerprint, revoke.Problem!.Type);
        Assert.Contains("2 trusted certificates", remove.Problem.Detail, StringComparison.Ordinal);
        Assert.True(exact.Succeeded, exact.Problem?.Detail);
        Assert.Equal("second", Assert.Single((await admin.ListTrustedAsync()).Value!).Name);
    }

    [Fact]
    [Trait("Backend", "Embedded")]
    public async Task A_change_while_another_process_holds_the_database_is_a_503_and_changes_nothing()
    {
        await using var server = await RegistryTestServer.StartAsync(output);
        using var admin = server.Admin();
        using var certificate = TestCertificates.Client();
        using (var holder = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={Path.Combine(server.DataDirectory, "aar.db")};Pooling=False"))
        {
            holder.Open();
            using var write = holder.CreateCommand();
            write.CommandText = "BEGIN IMMEDIATE; DELETE FROM trusted_certificates;";
            write.ExecuteNonQuery();

            var result = await admin.AddAsync(new AddTrustRequest { Certificate = TestCertificates.Pem(certificate) });

            Assert.Equal(ProblemTypes.DatabaseBusy, result.Problem!.Type);
            Assert.Equal(503, result.Problem.Status);
        }

        Assert.Empty((await admin.ListTrustedAsync()).Value!);
        Assert.True((await admin.AddAsync(new AddTrustRequest { Certificate = TestCertificates.Pem(certificate) })).Succeeded);
    }
}
