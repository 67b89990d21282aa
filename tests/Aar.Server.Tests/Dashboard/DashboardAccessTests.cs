using System.Net;
using System.Net.Http.Json;
using Aar.Protocol;
using Aar.Protocol.Enrolment;
using Aar.Protocol.Http;
using Aar.Protocol.Registry;
using Aar.Server.Access;
using Aar.Server.Tests.Access;
using Aar.Server.Trust;
using Microsoft.Extensions.DependencyInjection;
using TestSupport;
using Xunit.Abstractions;

namespace Aar.Server.Tests.Dashboard;

/// <summary>Who reaches the dashboard and its actions, over real Kestrel and real mutual TLS.</summary>
public sealed class DashboardAccessTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData(TrustRole.Client)]
    [InlineData(TrustRole.Publisher)]
    public async Task Every_dashboard_path_refuses_a_certificate_without_a_dashboard_role(TrustRole role)
    {
        await using var server = await RegistryTestServer.StartAsync(output);
        using var machine = TestCertificates.Client("ams-1");
        await server.TrustAsync(machine, role);
        using var client = server.Client(machine);
        var routes = DeclaredRoute.Of(server).Where(r => r.Pattern.StartsWith("/ui", StringComparison.Ordinal)).ToList();

        Assert.True(routes.Count >= 8, $"Only {routes.Count} dashboard routes found.");
        foreach (var route in routes)
        {
            var path = route.PathWith(name => name == "fingerprint" ? TestCertificates.FingerprintOf(machine) : "dashboard.css");
            using var request = new HttpRequestMessage(new HttpMethod(route.Method), path);
            using var response = await client.Http.SendAsync(request);
            output.WriteLine($"{route.Method} {path} -> {(int)response.StatusCode}");
            var problem = await AssertProblem(response, HttpStatusCode.Forbidden);
            Assert.Equal(route.Rule == AccessKind.OperatorRequired ? ProblemTypes.OperatorRoleRequired : ProblemTypes.DashboardRoleRequired, problem.Type);
        }
    }

    [Fact]
    public async Task A_viewer_sees_the_dashboard_reads_the_registry_and_may_not_act()
    {
        await using var server = await RegistryTestServer.StartAsync(output);
        using var viewer = TestCertificates.Client("alice");
        await server.TrustAsync(viewer, TrustRole.Viewer);
        using var client = server.Client(viewer);
        var forms = new DashboardForms(client);

        var html = await forms.LoadAsync();
        using var live = await client.Http.GetAsync("/ui/live");
        using var listing = await client.Http.GetAsync("/1.0/applications");
        using var upload = await client.Http.PostAsync("/1.0/uploads", null);
        using var action = await forms.PostAsync("/ui/tokens", [new("role", "client")]);

        Assert.Contains("<h2 id=\"fleet-title\">Fleet</h2>", html, StringComparison.Ordinal);
        Assert.Contains("alice", html, StringComparison.Ordinal);
        Assert.DoesNotContain("/ui/tokens", html, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, live.StatusCode);
        Assert.Equal(HttpStatusCode.OK, listing.StatusCode);
        Assert.Equal(ProblemTypes.PublisherRoleRequired, (await AssertProblem(upload, HttpStatusCode.Forbidden)).Type);
        Assert.Equal(ProblemTypes.OperatorRoleRequired, (await AssertProblem(action, HttpStatusCode.Forbidden)).Type);
    }

    [Fact]
    public async Task An_action_needs_the_same_origin_and_the_form_token()
    {
        await using var server = await RegistryTestServer.StartAsync(output);
        using var operatorCertificate = TestCertificates.Client("olga");
        await server.TrustAsync(operatorCertificate, TrustRole.Operator);
        using var client = server.Client(operatorCertificate);
        var forms = new DashboardForms(client);
        var html = await forms.LoadAsync();
        KeyValuePair<string, string>[] fields = [new("role", "client"), new("expires", "3600")];

        using var foreign = await forms.PostAsync("/ui/tokens", fields, origin: "https://evil.example");
        using var noOrigin = await forms.PostAsync("/ui/tokens", fields, origin: null);
        using var noToken = await forms.PostAsync("/ui/tokens", fields, withToken: false);
        // Another browser (no cookie jar shared) replaying the page's token: the token alone is not enough.
        using var elsewhere = server.Client(operatorCertificate);
        using var noCookie = await new DashboardForms(elsewhere) { Copied = forms }.PostAsync("/ui/tokens", fields);
        using var admin = server.Admin();
        var before = await admin.ListTokensAsync();
        using var good = await forms.PostAsync("/ui/tokens", fields);

        Assert.Contains("/ui/tokens", html, StringComparison.Ordinal);
        foreach (var refused in (HttpResponseMessage[])[foreign, noOrigin, noToken, noCookie])
        {
            Assert.Equal(ProblemTypes.CrossSiteRequest, (await AssertProblem(refused, HttpStatusCode.Forbidden)).Type);
        }

        Assert.Empty(before.Value!);
        Assert.Equal(HttpStatusCode.OK, good.StatusCode);
        Assert.Contains("amc registry join ", await good.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Single((await admin.ListTokensAsync()).Value!);
    }

    [Fact]
    public async Task Revoking_needs_the_name_typed_and_the_dashboard_then_shows_the_certificate_knocking()
    {
        await using var server = await RegistryTestServer.StartAsync(output);
        using var operatorCertificate = TestCertificates.Client("olga");
        await server.TrustAsync(operatorCertificate, TrustRole.Operator);
        using var machine = TestCertificates.Client("ams-lost");
        await server.TrustAsync(machine, TrustRole.Client);
        var fingerprint = TestCertificates.FingerprintOf(machine);
        using var client = server.Client(operatorCertificate);
        using var lost = server.Client(machine);
        var forms = new DashboardForms(client);
        await forms.LoadAsync($"/ui/certificates/{fingerprint}");

        using var wrong = await forms.PostAsync($"/ui/certificates/{fingerprint}/revoke", [new("confirm", "ams-los")]);
        using var stillTrusted = await lost.Http.GetAsync("/1.0");
        using var right = await forms.PostAsync($"/ui/certificates/{fingerprint}/revoke", [new("confirm", "ams-lost")]);
        using var refused = await lost.Http.GetAsync("/1.0");
        using var live = await client.Http.GetAsync("/ui/live");
        var html = await live.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.BadRequest, wrong.StatusCode);
        Assert.Equal(HttpStatusCode.OK, stillTrusted.StatusCode);
        Assert.Equal(HttpStatusCode.OK, right.StatusCode);
        Assert.Equal(ProblemTypes.RevokedCertificate, (await AssertProblem(refused, HttpStatusCode.Forbidden)).Type);
        Assert.Contains("still knocking", html, StringComparison.Ordinal);
        Assert.Contains($"<tr data-fingerprint=\"{fingerprint}\" class=\"knocking\">", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_operator_removes_a_certificate_and_it_is_refused_on_its_open_connection()
    {
        await using var server = await RegistryTestServer.StartAsync(output);
        using var operatorCertificate = TestCertificates.Client("olga");
        await server.TrustAsync(operatorCertificate, TrustRole.Operator);
        using var machine = TestCertificates.Client("ams-old");
        await server.TrustAsync(machine, TrustRole.Publisher);
        var fingerprint = TestCertificates.FingerprintOf(machine);
        using var client = server.Client(operatorCertificate);
        using var old = server.Client(machine);
        using var before = await old.Http.GetAsync("/1.0");
        var forms = new DashboardForms(client);
        await forms.LoadAsync($"/ui/certificates/{fingerprint}");

        using var removed = await forms.PostAsync($"/ui/certificates/{fingerprint}/remove", []);
        using var after = await old.Http.GetAsync("/1.0");

        Assert.Equal(HttpStatusCode.OK, before.StatusCode);
        Assert.Equal(HttpStatusCode.OK, removed.StatusCode);
        Assert.Contains("Certificate removed", await removed.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(1, old.Connections);
        Assert.Equal(ProblemTypes.UntrustedCertificate, (await AssertProblem(after, HttpStatusCode.Forbidden)).Type);
        Assert.Empty((await server.Admin().ListRevokedAsync()).Value!);
    }

    [Fact]
    public async Task Activity_is_written_in_batches_not_per_request()
    {
        await using var server = await RegistryTestServer.StartAsync(output);
        using var machine = TestCertificates.Client("ams-1");
        await server.TrustAsync(machine, TrustRole.Client);
        var fingerprint = TestCertificates.FingerprintOf(machine);
        var database = server.Host.Services.GetRequiredService<ClientActivityDatabase>();
        using var client = server.Client(machine);

        using var response = await client.Http.GetAsync("/1.0/applications");
        var right = await database.LoadAsync(CancellationToken.None);
        var written = right;
        for (var waited = 0; waited < 100 && written.Count == 0; waited++)
        {
            await Task.Delay(100);
            written = await database.LoadAsync(CancellationToken.None);
        }

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.DoesNotContain(right, row => row.Fingerprint == fingerprint);
        var (_, view) = Assert.Single(written, row => row.Fingerprint == fingerprint);
        Assert.Equal(0, view.Generation);
        Assert.NotNull(view.LastSeen);
    }

    [Fact]
    public async Task Join_tokens_are_for_machines_and_browser_roles_are_trusted_by_name()
    {
        await using var server = await RegistryTestServer.StartAsync(output);
        using var admin = server.Admin();
        using var browser = TestCertificates.Client("bob");

        var token = await admin.CreateTokenAsync(new CreateTokenRequest { Role = "viewer" });
        var added = await admin.AddAsync(new() { Certificate = TestCertificates.Pem(browser), Role = "operator" });
        var unknown = await admin.AddAsync(new() { Certificate = TestCertificates.Pem(browser), Role = "admin" });

        Assert.Equal(400, token.Problem!.Status);
        Assert.True(added.Succeeded, added.Problem?.Detail);
        Assert.Equal("operator", Assert.Single((await admin.ListTrustedAsync()).Value!).Role);
        Assert.Contains("client, publisher, viewer or operator", unknown.Problem!.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Last_request_and_generation_fetched_survive_a_restart()
    {
        await using var server = await RegistryTestServer.StartAsync(output);
        using var machine = TestCertificates.Client("ams-1");
        await server.TrustAsync(machine, TrustRole.Client);
        var fingerprint = TestCertificates.FingerprintOf(machine);
        using (var client = server.Client(machine))
        {
            using var listing = await client.Http.GetAsync("/1.0/applications");
            Assert.Equal(HttpStatusCode.OK, listing.StatusCode);
        }

        var before = server.Host.Services.GetRequiredService<ClientActivity>().View(fingerprint);
        // A graceful stop, as SIGTERM does ('aar serve'): the last batch is written on the way out.
        await server.Host.StopAsync();
        await server.RestartAsync();
        var after = server.Host.Services.GetRequiredService<ClientActivity>().View(fingerprint);
        for (var i = 0; i < 50 && after?.Generation is null; i++)
        {
            // Loaded by the flusher once the host has started.
            await Task.Delay(100);
            after = server.Host.Services.GetRequiredService<ClientActivity>().View(fingerprint);
        }

        Assert.NotNull(before?.LastSeen);
        Assert.Equal(0, before.Generation);
        Assert.NotNull(after);
        Assert.Equal(before.Generation, after.Generation);
        Assert.Equal(before.LastSeen!.Value.ToUnixTimeMilliseconds(), after.LastSeen!.Value.ToUnixTimeMilliseconds());
    }

    private static async Task<Problem> AssertProblem(HttpResponseMessage response, HttpStatusCode status)
    {
        Assert.Equal(status, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync(ProtocolJsonContext.Default.Problem);
        Assert.NotNull(problem);
        return problem;
    }
}
