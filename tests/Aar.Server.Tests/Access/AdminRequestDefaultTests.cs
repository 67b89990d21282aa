using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Aar.Protocol;
using Aar.Protocol.Http;
using TestSupport;
using Xunit.Abstractions;
using static Aar.Server.Tests.TrustEnforcementTests;

namespace Aar.Server.Tests.Access;

/// <summary>Admin request bodies with optional fields left out or null get the documented defaults, never a 500.</summary>
public sealed class AdminRequestDefaultTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData("""{"role":"client"}""", "client")]
    [InlineData("""{}""", "client")]
    [InlineData("""{"role":null,"expires_in_seconds":null,"name":null,"addresses":null}""", "client")]
    [InlineData("""{"role":"publisher","addresses":[]}""", "publisher")]
    public async Task A_token_request_without_optional_fields_gets_the_defaults(string body, string role)
    {
        await using var server = await RegistryTestServer.StartAsync(output);
        using var socket = UnixSocketHttp.CreateClient(server.Host.SocketPath);

        using var response = await socket.PostAsync(Aar.Protocol.Admin.AdminRoutes.Tokens, Json(body));

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var created = (await response.Content.ReadFromJsonAsync(ProtocolJsonContext.Default.CreatedToken))!;
        Assert.Equal(role, created.Entry.Role);
        Assert.Equal("", created.Entry.Name);
        Assert.Equal(TimeSpan.FromHours(1), created.Entry.ExpiresAt - created.Entry.CreatedAt);
        Assert.Equal([$"{server.Address.Host}:{server.Address.Port}"], created.Addresses);
    }

    [Theory]
    [InlineData("""{"expires_in_seconds":0}""")]
    [InlineData("""{"role":"operator"}""")]
    [InlineData("""{"addresses":["no-port"]}""")]
    public async Task A_token_request_with_a_wrong_value_is_400(string body)
    {
        await using var server = await RegistryTestServer.StartAsync(output);
        using var socket = UnixSocketHttp.CreateClient(server.Host.SocketPath);

        using var response = await socket.PostAsync(Aar.Protocol.Admin.AdminRoutes.Tokens, Json(body));

        await AssertProblem(response, HttpStatusCode.BadRequest, ProblemTypes.InvalidRequest);
    }

    [Theory]
    [InlineData(""", "role":null, "name":null""")]
    [InlineData("")]
    public async Task A_trust_request_without_role_or_name_trusts_as_client_under_the_common_name(string optional)
    {
        await using var server = await RegistryTestServer.StartAsync(output);
        using var socket = UnixSocketHttp.CreateClient(server.Host.SocketPath);
        using var certificate = TestCertificates.Client("ams-default");

        using var response = await socket.PostAsync(Aar.Protocol.Admin.AdminRoutes.Trust, Json($$"""{"certificate":{{JsonSerializer.Serialize(TestCertificates.Pem(certificate))}}{{optional}}}"""));

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var change = (await response.Content.ReadFromJsonAsync(ProtocolJsonContext.Default.TrustChange))!;
        Assert.Equal(("client", "ams-default", TestCertificates.FingerprintOf(certificate)), (change.Role, change.Name, change.Fingerprint));
    }

    [Theory]
    [InlineData("""{"certificate":null}""", ProblemTypes.InvalidCertificate)]
    [InlineData("""{"role":"client"}""", ProblemTypes.InvalidRequest)]
    [InlineData("""[]""", ProblemTypes.InvalidRequest)]
    public async Task A_trust_request_without_a_certificate_is_400(string body, string type)
    {
        await using var server = await RegistryTestServer.StartAsync(output);
        using var socket = UnixSocketHttp.CreateClient(server.Host.SocketPath);

        using var response = await socket.PostAsync(Aar.Protocol.Admin.AdminRoutes.Trust, Json(body));

        await AssertProblem(response, HttpStatusCode.BadRequest, type);
        using var admin = server.Admin();
        Assert.Empty((await admin.ListTrustedAsync()).Value!);
    }

    private static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");
}
