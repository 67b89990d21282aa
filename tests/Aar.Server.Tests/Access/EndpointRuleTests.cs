using System.Text;
using Aar.Protocol.Admin;
using Aar.Protocol.Registry;
using Aar.Server.Access;
using Aar.Server.Enrolment;
using Aar.Server.Trust;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using TestSupport;
using Xunit.Abstractions;

namespace Aar.Server.Tests.Access;

/// <summary>Every endpoint of the running server declares who may call it, and the declarations are the safe ones.</summary>
public sealed class EndpointRuleTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Every_endpoint_in_the_endpoint_data_source_declares_an_access_rule()
    {
        await using var server = await RegistryTestServer.StartAsync(output);

        var routes = DeclaredRoute.Of(server);

        foreach (var route in routes)
        {
            output.WriteLine($"{route.Method,-7} {route.Pattern,-60} {route.Rule?.ToString() ?? "NONE"}");
        }

        Assert.True(routes.Count >= 30, $"Only {routes.Count} routes found; is the endpoint data source the server's?");
        Assert.Empty(routes.Where(r => r.Rule is null).Select(r => $"{r.Method} {r.Pattern}"));
    }

    /// <summary>
    /// POSTs that change nothing: a batched range read and fine signatures name more ranges than a query string can
    /// hold, so they travel in a body; they read what a GET of the blob reads, so they need what that GET needs.
    /// </summary>
    private static readonly HashSet<string> ReadsWithABody = [RegistryRoutes.Blobs + "/{digest}/ranges", RegistryRoutes.Blobs + "/{digest}/signatures"];

    [Fact]
    public async Task Admin_paths_are_socket_only_and_every_other_write_needs_the_publisher_role()
    {
        await using var server = await RegistryTestServer.StartAsync(output);

        var routes = DeclaredRoute.Of(server).Where(r => r.Rule != AccessKind.UnmatchedRoute).ToList();

        Assert.All(routes.Where(r => r.Pattern.StartsWith(AdminRoutes.Prefix + "/", StringComparison.OrdinalIgnoreCase)), r => Assert.Equal(AccessKind.AdminSocketOnly, r.Rule));
        Assert.All(routes.Where(r => r.Rule == AccessKind.AdminSocketOnly), r => Assert.StartsWith(AdminRoutes.Prefix + "/", r.Pattern, StringComparison.Ordinal));
        var writes = routes.Where(r => r.Rule != AccessKind.AdminSocketOnly && !HttpMethods.IsGet(r.Method) && !HttpMethods.IsHead(r.Method)).ToList();
        Assert.NotEmpty(writes);
        Assert.All(writes.Where(r => r.Pattern != EnrolmentEndpoints.EnrolPath && !IsDashboard(r) && !ReadsWithABody.Contains(r.Pattern)), r => Assert.Equal(AccessKind.PublisherRequired, r.Rule));
        Assert.All(writes.Where(r => ReadsWithABody.Contains(r.Pattern)), r => Assert.Equal(AccessKind.AnyTrustedCaller, r.Rule));
        Assert.All(writes.Where(IsDashboard), r => Assert.Equal(AccessKind.OperatorRequired, r.Rule));
        Assert.All(routes.Where(r => IsDashboard(r) && HttpMethods.IsGet(r.Method)), r => Assert.Equal(AccessKind.ViewerRequired, r.Rule));
        Assert.All(routes.Where(r => r.Rule is AccessKind.ViewerRequired or AccessKind.OperatorRequired), r => Assert.True(IsDashboard(r), r.Pattern));
        Assert.Equal(AccessKind.UnenrolledAllowed, Assert.Single(routes, r => r.Pattern == EnrolmentEndpoints.EnrolPath).Rule);
        Assert.Single(DeclaredRoute.Of(server), r => r.Rule == AccessKind.UnmatchedRoute);
    }

    private static bool IsDashboard(DeclaredRoute route) => route.Pattern.StartsWith("/ui", StringComparison.Ordinal);

    [Fact]
    public async Task Admin_endpoints_refuse_a_request_that_did_not_come_over_the_socket_even_without_the_gate()
    {
        await using var server = await RegistryTestServer.StartAsync(output);
        using var victim = TestCertificates.Client("victim");
        await server.TrustAsync(victim, TrustRole.Publisher);
        using var intruder = TestCertificates.Client("intruder");
        var trust = server.Host.Services.GetRequiredService<TrustStore>();
        var before = trust.Current;

        var admin = DeclaredRoute.Of(server).Where(r => r.Rule == AccessKind.AdminSocketOnly).ToList();

        Assert.True(admin.Count >= 14, $"Only {admin.Count} admin routes found.");
        foreach (var route in admin)
        {
            // The endpoint's own delegate, called as if the gate had let a TLS request through.
            using var scope = server.Host.Services.CreateScope();
            var context = new DefaultHttpContext { RequestServices = scope.ServiceProvider };
            context.Request.Method = route.Method;
            context.Request.Path = route.PathWith(name => Argument(name, TestCertificates.FingerprintOf(victim)));
            foreach (var parameter in route.Endpoint.RoutePattern.Parameters)
            {
                context.Request.RouteValues[parameter.Name] = Argument(parameter.Name, TestCertificates.FingerprintOf(victim));
            }

            var body = Encoding.UTF8.GetBytes(AdminSpellingTests.BodyFor(route.Method, route.Pattern, intruder) ?? "");
            context.Request.Body = new MemoryStream(body);
            context.Request.ContentLength = body.Length;
            context.Request.ContentType = "application/json";
            context.Response.Body = new MemoryStream();

            await route.Endpoint.RequestDelegate!(context);

            Assert.True(context.Response.StatusCode == StatusCodes.Status404NotFound, $"{route.Method} {route.Pattern} answered {context.Response.StatusCode}");
        }

        // Not the same snapshot instance: on PostgreSQL the staleness heartbeat may reload it meanwhile. The same content.
        Assert.Equal(before.Trusted.Keys.Order(), trust.Current.Trusted.Keys.Order());
        Assert.Equal(before.Revoked.Count, trust.Current.Revoked.Count);
        using var client = server.Admin();
        Assert.Equal([TestCertificates.FingerprintOf(victim)], (await client.ListTrustedAsync()).Value!.Select(e => e.Fingerprint));
        Assert.Empty((await client.ListRevokedAsync()).Value!);
        Assert.Empty((await client.ListTokensAsync()).Value!);
    }

    internal static string Argument(string parameter, string fingerprint) => parameter switch
    {
        "prefix" => fingerprint,
        "id" => "0123456789ab",
        "name" => "com.example.app",
        "architecture" => "arm64",
        "version" => "1",
        _ => throw new InvalidOperationException($"No test value for route parameter '{parameter}'; add one."),
    };
}
