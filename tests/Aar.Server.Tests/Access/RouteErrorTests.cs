using System.Net;
using Aar.Protocol.Http;
using Aar.Protocol.Registry;
using TestSupport;
using Xunit.Abstractions;
using static Aar.Server.Tests.TrustEnforcementTests;

namespace Aar.Server.Tests.Access;

/// <summary>Requests no route takes: 405 with <c>Allow</c> for another method, 404 for no route; never a 500.</summary>
public sealed class RouteErrorTests(ITestOutputHelper output)
{
    public static TheoryData<string, string, string, string> OtherMethods => new()
    {
        { "publisher", "POST", "/1.0/applications/com.example.app/arm64", "DELETE, GET" },
        { "client", "POST", "/1.0/applications/com.example.app/arm64", "DELETE, GET" },
        { "client", "POST", "/1.0/applications", "GET" },
        { "publisher", "PATCH", "/1.0/blobs/sha256:" + "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", "GET, HEAD, PUT" },
        { "publisher", "DELETE", "/1.0", "GET" },
        { "publisher", "GET", "/1.0/enrol", "POST" },
        { "publisher", "POST", "/1.0/uploads/abc", "DELETE, GET, PATCH, PUT" },
        { "client", "PUT", "/1.0/Applications/", "GET" },
    };

    [Theory]
    [MemberData(nameof(OtherMethods))]
    public async Task A_known_route_with_another_method_is_405_naming_the_allowed_methods(string role, string method, string path, string allow)
    {
        await using var server = await RegistryTestServer.StartAsync(output);
        using var certificate = TestCertificates.Client(role);
        await server.TrustAsync(certificate, role == "publisher" ? TrustRole.Publisher : TrustRole.Client);
        using var client = server.Client(certificate);

        using var response = await client.Http.SendAsync(new HttpRequestMessage(new HttpMethod(method), path));

        var problem = await AssertProblem(response, HttpStatusCode.MethodNotAllowed, ProblemTypes.MethodNotAllowed);
        Assert.Equal(allow, string.Join(", ", response.Content.Headers.Allow));
        Assert.Contains(allow, problem.Detail, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("GET", "/1.0/applications/com.example.app/xyz/abc", ProblemTypes.NotFound)]
    [InlineData("GET", "/1.0/applications/com.example.app", ProblemTypes.NotFound)]
    [InlineData("PUT", "/1.0/applications/com.example.app/arm64/versions/1/extra.apk", ProblemTypes.NotFound)]
    [InlineData("GET", "/1.0/nothing.txt", ProblemTypes.NotFound)]
    [InlineData("GET", "/2.0", ProblemTypes.NotFound)]
    [InlineData("DELETE", "/", ProblemTypes.NotFound)]
    // A route (name/architecture) that names nothing: the route's own 404.
    [InlineData("GET", "/1.0/applications/com.example.app/xyz", ProblemTypes.ApplicationNotFound)]
    public async Task An_unknown_route_is_404_not_found_even_with_a_dot_in_its_last_segment(string method, string path, string type)
    {
        await using var server = await RegistryTestServer.StartAsync(output);
        using var certificate = TestCertificates.Client("publisher");
        await server.TrustAsync(certificate, TrustRole.Publisher);
        using var client = server.Client(certificate);

        using var response = await client.Http.SendAsync(new HttpRequestMessage(new HttpMethod(method), path));

        await AssertProblem(response, HttpStatusCode.NotFound, type);
    }

    [Fact]
    public async Task An_untrusted_certificate_learns_nothing_about_routes()
    {
        await using var server = await RegistryTestServer.StartAsync(output);
        using var stranger = TestCertificates.Client("stranger");
        using var client = server.Client(stranger);

        using var unknown = await client.Http.GetAsync("/1.0/applications/com.example.app/xyz");
        using var otherMethod = await client.Http.DeleteAsync("/1.0");
        using var admin = await client.Http.GetAsync("/ADMIN/1.0/trust");

        await AssertProblem(unknown, HttpStatusCode.Forbidden, ProblemTypes.UntrustedCertificate);
        await AssertProblem(otherMethod, HttpStatusCode.Forbidden, ProblemTypes.UntrustedCertificate);
        await AssertProblem(admin, HttpStatusCode.Forbidden, ProblemTypes.UntrustedCertificate);
    }

    [Fact]
    public async Task On_the_socket_405_names_admin_methods_and_over_tls_the_same_request_is_404()
    {
        await using var server = await RegistryTestServer.StartAsync(output);
        using var certificate = TestCertificates.Client("publisher");
        await server.TrustAsync(certificate, TrustRole.Publisher);
        using var client = server.Client(certificate);
        using var socket = UnixSocketHttp.CreateClient(server.Host.SocketPath);

        using var overSocket = await socket.PutAsync("/admin/1.0/trust", content: null);
        using var overTls = await client.Http.PutAsync("/admin/1.0/trust", content: null);
        using var unknownOverSocket = await socket.GetAsync("/admin/1.0/applications/com.example.app/arm64/x.y");

        await AssertProblem(overSocket, HttpStatusCode.MethodNotAllowed, ProblemTypes.MethodNotAllowed);
        Assert.Equal("GET, POST", string.Join(", ", overSocket.Content.Headers.Allow));
        await AssertProblem(overTls, HttpStatusCode.NotFound, ProblemTypes.NotFound);
        Assert.Empty(overTls.Content.Headers.Allow);
        await AssertProblem(unknownOverSocket, HttpStatusCode.NotFound, ProblemTypes.NotFound);
    }
}
