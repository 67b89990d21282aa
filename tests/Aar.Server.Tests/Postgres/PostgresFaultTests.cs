using System.Net;
using Aar.Protocol.Admin;
using Aar.Protocol.Http;
using Aar.Server.Trust;
using Microsoft.Extensions.DependencyInjection;
using TestSupport;
using Xunit.Abstractions;
using static Aar.Server.Tests.TrustEnforcementTests;

namespace Aar.Server.Tests.Postgres;

/// <summary>PostgreSQL going away under a running registry (a TCP proxy in between is cut and restored).</summary>
public sealed class PostgresFaultTests(ITestOutputHelper output)
{
    [PostgresFact]
    public async Task While_the_database_is_down_requests_are_a_503_that_changes_nothing_and_service_resumes_after()
    {
        await using var database = await TestDatabase.CreatePostgresAsync();
        using var proxy = database.StartProxy();
        var proxied = database.ConnectionStringThrough(proxy);
        await using var server = await RegistryTestServer.StartAsync(output, configure: o => o with { Database = proxied }, database: database);
        using var trusted = TestCertificates.Client("trusted");
        using var refused = TestCertificates.Client("refused-meanwhile");
        await server.TrustAsync(trusted);
        using var client = server.Client(trusted);
        Assert.Equal(HttpStatusCode.OK, (await client.Http.GetAsync("/1.0")).StatusCode);

        proxy.Stop();
        using var admin = server.Admin();
        var add = await admin.AddAsync(new AddTrustRequest { Certificate = TestCertificates.Pem(refused) });
        using var read = await client.Http.GetAsync("/1.0/applications");

        Assert.Equal(ProblemTypes.DatabaseUnavailable, add.Problem?.Type);
        Assert.Equal(503, add.Problem!.Status);
        var problem = await AssertProblem(read, HttpStatusCode.ServiceUnavailable, ProblemTypes.DatabaseUnavailable);
        Assert.Equal("The registry cannot reach its database right now; nothing was changed. Try again shortly; the server log says why.", problem.Detail);
        Assert.Equal("application/problem+json", read.Content.Headers.ContentType?.MediaType);

        proxy.Start();
        Assert.Equal(HttpStatusCode.OK, (await client.Http.GetAsync("/1.0/applications")).StatusCode);
        var trustedNow = (await admin.ListTrustedAsync()).Value!;
        Assert.Equal([TestCertificates.FingerprintOf(trusted)], trustedNow.Select(e => e.Fingerprint));
        Assert.Equal(1L, await PostgresStartupTests.ScalarAsync(database, "SELECT count(*) FROM trusted_certificates"));
    }

    [PostgresFact]
    public async Task After_losing_the_listener_a_node_reconnects_and_follows_trust_changes_again()
    {
        await using var database = await TestDatabase.CreatePostgresAsync();
        using var proxy = database.StartProxy();
        var proxied = database.ConnectionStringThrough(proxy);
        // Node B talks to PostgreSQL through the proxy; node A directly.
        await using var a = await RegistryTestServer.StartAsync(output, database: database);
        await using var b = await RegistryTestServer.StartAsync(output, configure: o => o with { Database = proxied }, database: database);
        var store = b.Host.Services.GetRequiredService<TrustStore>();
        await WaitAsync(() => store.IsCurrent, "B follows changes");

        proxy.Stop();
        await WaitAsync(() => !store.IsCurrent, "B notices the lost listener");
        using var certificate = TestCertificates.Client("while-b-was-cut-off");
        await a.TrustAsync(certificate);
        proxy.Start();
        await WaitAsync(() => store.IsCurrent, "B reconnects");

        using var onB = b.Client(certificate);
        Assert.Equal(HttpStatusCode.OK, (await onB.Http.GetAsync("/1.0")).StatusCode);
        await WaitAsync(() => store.IsCurrent, "B follows changes again");
        using (var admin = a.Admin())
        {
            Assert.True((await admin.RevokeAsync(TestCertificates.FingerprintOf(certificate))).Succeeded);
        }

        // B's notification comes through the proxy's extra user-space hop, so it may trail A's answer by a moment;
        // what matters here is that it comes (B follows again, no per-request reloads), then B enforces it.
        await WaitAsync(() => !store.IsCurrent || store.Current.Revoked.ContainsKey(TestCertificates.FingerprintOf(certificate)), "B is notified of the revocation");
        await AssertProblem(await onB.Http.GetAsync("/1.0"), HttpStatusCode.Forbidden, ProblemTypes.RevokedCertificate);
    }

    private static async Task WaitAsync(Func<bool> condition, string what)
    {
        for (var i = 0; i < 400 && !condition(); i++)
        {
            await Task.Delay(25);
        }

        Assert.True(condition(), $"timed out waiting until {what}");
    }
}
