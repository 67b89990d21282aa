using System.Net;
using System.Net.Http.Json;
using Aar.Protocol.Admin;
using Aar.Protocol.Enrolment;
using Aar.Protocol.Http;
using TestSupport;
using Xunit.Abstractions;

namespace Aar.Server.Tests;

/// <summary>Names an operator reads are the ones the operator chose, and show as what is stored.</summary>
public sealed class OperatorNameTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task The_operators_token_name_wins_over_the_name_the_enrolling_machine_sends()
    {
        await using var server = await RegistryTestServer.StartAsync(output);
        var token = await EnrolmentTests.CreateTokenAsync(server, new CreateTokenRequest { Name = "ams-eu-1" });
        using var ams = TestCertificates.Client("ams-eu-1");

        var joined = await EnrolmentClient.JoinAsync(token, ams, name: "registry-admin", Timeout);

        Assert.True(joined.Succeeded, joined.Problem?.Detail);
        Assert.Equal("ams-eu-1", joined.Value!.Response.Name);
        using var admin = server.Admin();
        var entry = Assert.Single((await admin.ListTrustedAsync()).Value!);
        Assert.Equal((TestCertificates.FingerprintOf(ams), "ams-eu-1"), (entry.Fingerprint, entry.Name));
    }

    [Fact]
    public async Task Without_a_token_name_the_machine_names_itself_but_not_with_a_bidi_override_and_the_token_stays()
    {
        await using var server = await RegistryTestServer.StartAsync(output);
        var token = await EnrolmentTests.CreateTokenAsync(server, new CreateTokenRequest());
        using var ams = TestCertificates.Client("ams");

        var refused = await EnrolmentClient.JoinAsync(token, ams, name: "ams-\u202Eexe.crt", Timeout);
        var joined = await EnrolmentClient.JoinAsync(token, ams, name: "ams-eu-2", Timeout);

        Assert.Equal((ProblemTypes.InvalidRequest, 400), (refused.Problem!.Type, refused.Problem.Status));
        Assert.StartsWith("Name contains U+202E (a bidirectional formatting character) at position 5;", refused.Problem.Detail, StringComparison.Ordinal);
        Assert.True(joined.Succeeded, joined.Problem?.Detail);
        Assert.Equal("ams-eu-2", joined.Value!.Response.Name);
    }

    [Theory]
    [InlineData("evil\u202Egnp.crt", "U+202E (a bidirectional formatting character) at position 5")]
    [InlineData("a\u2067b", "U+2067 (a bidirectional formatting character) at position 2")]
    [InlineData("ams\u200B", "U+200B (an invisible format character) at position 4")]
    [InlineData("ams\u001B[2J", "U+001B (a control character) at position 4")]
    public async Task Trust_add_refuses_a_name_that_would_not_show_as_itself(string name, string expected)
    {
        await using var server = await RegistryTestServer.StartAsync(output);
        using var certificate = TestCertificates.Client("plain");
        using var admin = server.Admin();

        var added = await admin.AddAsync(new AddTrustRequest { Certificate = TestCertificates.Pem(certificate), Role = "client", Name = name });

        Assert.Equal((ProblemTypes.InvalidRequest, 400, "Invalid name"), (added.Problem!.Type, added.Problem.Status, added.Problem.Title));
        Assert.StartsWith($"Name contains {expected};", added.Problem.Detail, StringComparison.Ordinal);
        Assert.Empty((await admin.ListTrustedAsync()).Value!);
    }

    [Fact]
    public async Task A_certificate_whose_subject_carries_a_bidi_override_is_refused_whatever_the_name()
    {
        await using var server = await RegistryTestServer.StartAsync(output);
        using var certificate = TestCertificates.Client("ams\u202E1");
        using var admin = server.Admin();

        var unnamed = await admin.AddAsync(new AddTrustRequest { Certificate = TestCertificates.Pem(certificate), Role = "client" });
        var named = await admin.AddAsync(new AddTrustRequest { Certificate = TestCertificates.Pem(certificate), Role = "client", Name = "ams-1" });

        Assert.Equal((ProblemTypes.InvalidRequest, 400), (unnamed.Problem!.Type, unnamed.Problem.Status));
        Assert.StartsWith("The certificate's common name (the default name; give another with --name) contains U+202E", unnamed.Problem.Detail, StringComparison.Ordinal);
        Assert.Equal((ProblemTypes.InvalidCertificate, 400), (named.Problem!.Type, named.Problem.Status));
        Assert.StartsWith($"The subject of certificate {TestCertificates.FingerprintOf(certificate)} contains U+202E", named.Problem.Detail, StringComparison.Ordinal);
        Assert.Empty((await admin.ListTrustedAsync()).Value!);
    }

    [Fact]
    public async Task Token_create_refuses_a_name_that_would_not_show_as_itself()
    {
        await using var server = await RegistryTestServer.StartAsync(output);
        using var admin = server.Admin();

        var created = await admin.CreateTokenAsync(new CreateTokenRequest { Name = "ams\u2066-eu" });

        Assert.Equal((ProblemTypes.InvalidRequest, 400), (created.Problem!.Type, created.Problem.Status));
        Assert.StartsWith("Name contains U+2066 (a bidirectional formatting character) at position 4;", created.Problem.Detail, StringComparison.Ordinal);
        Assert.Empty((await admin.ListTokensAsync()).Value!);
    }

    [Fact]
    public async Task A_version_tag_with_a_bidi_override_is_refused_with_the_character_escaped()
    {
        await using var server = await RegistryTestServer.StartAsync(output);
        using var publisher = TestCertificates.Client("publisher");
        await server.TrustAsync(publisher, Aar.Protocol.Registry.TrustRole.Publisher);
        using var client = server.Client(publisher);

        using var response = await client.Http.PutAsync(
            "/1.0/applications/game/amd64/versions/0",
            JsonContent.Create(new { digest = "sha256:" + new string('a', 64), size = 1, tags = new[] { "stable\u202E" } }));

        var problem = await TrustEnforcementTests.AssertProblem(response, HttpStatusCode.BadRequest, ProblemTypes.InvalidManifest);
        Assert.StartsWith("Tag 'stable\\u202e' is invalid", problem.Detail, StringComparison.Ordinal);
    }
}
