using System.Diagnostics;
using System.Net;
using Aar.Protocol.Http;
using Aar.Server.Trust;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using TestSupport;
using Xunit.Abstractions;
using static Aar.Server.Tests.TrustEnforcementTests;

namespace Aar.Server.Tests.Postgres;

/// <summary>
/// Bounded staleness: a node whose trust-change notifications stop arriving without any error (its listener's TCP
/// connection black-holed, its pool still working) never decides on a snapshot older than
/// <see cref="TrustStore.MaxStaleness"/>.
/// </summary>
public sealed class StalenessTests(ITestOutputHelper output)
{
    [PostgresFact]
    public async Task A_node_whose_listener_connection_dies_silently_refuses_a_revoked_certificate_within_the_staleness_bound()
    {
        await using var database = await TestDatabase.CreatePostgresAsync();
        using var proxy = database.StartProxy();
        var proxied = database.ConnectionStringThrough(proxy);
        // Node B talks to PostgreSQL through the proxy (pool and listener); node A directly.
        await using var a = await RegistryTestServer.StartAsync(output, database: database);
        await using var b = await RegistryTestServer.StartAsync(output, configure: o => o with { Database = proxied }, database: database);
        var store = b.Host.Services.GetRequiredService<TrustStore>();
        using var certificate = TestCertificates.Client("revoked-behind-a-dead-listener");
        var fingerprint = TestCertificates.FingerprintOf(certificate);
        await a.TrustAsync(certificate);
        using var onB = b.Client(certificate);
        Assert.Equal(HttpStatusCode.OK, (await onB.Http.GetAsync("/1.0")).StatusCode);
        await WaitAsync(() => store.IsCurrent, TimeSpan.FromSeconds(10), "B follows changes");

        Assert.Equal(1, proxy.BlackHole(await ListenerPortsAsync(database)));
        var revoking = Stopwatch.StartNew();
        using (var admin = a.Admin())
        {
            Assert.True((await admin.RevokeAsync(fingerprint)).Succeeded);
        }

        // The notification never reached B: its snapshot still trusts the certificate (nothing on B reloaded it).
        Assert.True(store.Current.Trusted.ContainsKey(fingerprint));
        Assert.False(store.Current.Revoked.ContainsKey(fingerprint));

        // Once the bound has passed, B's very next request is decided on a snapshot no older than the bound.
        var bound = TrustStore.MaxStaleness + TimeSpan.FromMilliseconds(500);
        if (revoking.Elapsed < bound)
        {
            await Task.Delay(bound - revoking.Elapsed);
        }

        output.WriteLine($"asking B {revoking.Elapsed.TotalSeconds:0.0} s after the revocation started");
        await AssertProblem(await onB.Http.GetAsync("/1.0"), HttpStatusCode.Forbidden, ProblemTypes.RevokedCertificate);
        Assert.Equal(1, onB.Connections);

        // The silent listener is given up and replaced. With no requests on B, only its listener reloads the snapshot
        // (when it reconnects, or on the notification): seeing the next change there shows it follows changes again.
        using var later = TestCertificates.Client("trusted-after-reconnect");
        await a.TrustAsync(later);
        await WaitAsync(() => store.Current.Trusted.ContainsKey(TestCertificates.FingerprintOf(later)), TrustListener.SilentAfter * 3, "B's listener is back");
    }

    [PostgresFact]
    public async Task A_revocation_through_node_A_is_refused_by_node_B_when_the_command_returns_even_if_B_reads_its_notifications_late()
    {
        await using var database = await TestDatabase.CreatePostgresAsync();
        using var proxy = database.StartProxy();
        await using var a = await RegistryTestServer.StartAsync(output, database: database);
        await using var b = await RegistryTestServer.StartAsync(output, configure: o => o with { Database = database.ConnectionStringThrough(proxy) }, database: database);
        var store = b.Host.Services.GetRequiredService<TrustStore>();
        using var certificate = TestCertificates.Client("revoked-while-b-lags");
        var fingerprint = TestCertificates.FingerprintOf(certificate);
        await a.TrustAsync(certificate);
        using var onB = b.Client(certificate);
        Assert.Equal(HttpStatusCode.OK, (await onB.Http.GetAsync("/1.0")).StatusCode);
        await WaitAsync(() => store.IsCurrent, TimeSpan.FromSeconds(10), "B follows changes");

        // B gets every notification 0.8 s late (its heartbeats too, which still keeps its snapshot within the bound).
        var latency = TimeSpan.FromMilliseconds(800);
        Assert.Equal(1, proxy.Delay(await ListenerPortsAsync(database), latency));
        await Task.Delay(latency * 3);
        Assert.True(store.IsCurrent, "a late but working listener keeps B's snapshot current");

        var revoking = Stopwatch.StartNew();
        using (var admin = a.Admin())
        {
            Assert.True((await admin.RevokeAsync(fingerprint)).Succeeded);
        }

        // A answered only once B confirmed it had the notification: B's very next request is refused.
        output.WriteLine($"the revocation returned after {revoking.Elapsed.TotalSeconds:0.00} s");
        await AssertProblem(await onB.Http.GetAsync("/1.0"), HttpStatusCode.Forbidden, ProblemTypes.RevokedCertificate);
        Assert.InRange(revoking.Elapsed, latency, TrustStore.ConfirmationTimeout);
        Assert.Equal(1, onB.Connections);
    }

    [PostgresFact]
    public async Task A_node_whose_every_database_connection_dies_silently_never_serves_a_revoked_certificate_past_the_bound()
    {
        await using var database = await TestDatabase.CreatePostgresAsync();
        using var proxy = database.StartProxy();
        // Short timeouts, so a query on a dead connection fails in seconds rather than Npgsql's default 30 s.
        var proxied = database.ConnectionStringThrough(proxy, commandTimeout: 3);
        await using var a = await RegistryTestServer.StartAsync(output, database: database);
        await using var b = await RegistryTestServer.StartAsync(output, configure: o => o with { Database = proxied }, database: database);
        var store = b.Host.Services.GetRequiredService<TrustStore>();
        using var certificate = TestCertificates.Client("revoked-behind-a-dead-network");
        await a.TrustAsync(certificate);
        using var onB = b.Client(certificate);
        Assert.Equal(HttpStatusCode.OK, (await onB.Http.GetAsync("/1.0")).StatusCode);
        await WaitAsync(() => store.IsCurrent, TimeSpan.FromSeconds(10), "B follows changes");

        // Every connection B holds (pool and listener) goes silent. New connections still get through, so whether B's
        // reload fails on an idle dead one (503) or succeeds on a new one (403) depends on its pool; both are right.
        Assert.True(proxy.BlackHoleAll() >= 2);
        var revoking = Stopwatch.StartNew();
        using (var admin = a.Admin())
        {
            Assert.True((await admin.RevokeAsync(TestCertificates.FingerprintOf(certificate))).Succeeded);
        }

        var bound = TrustStore.MaxStaleness + TimeSpan.FromMilliseconds(500);
        if (revoking.Elapsed < bound)
        {
            await Task.Delay(bound - revoking.Elapsed);
        }

        using var response = await onB.Http.GetAsync("/1.0");

        // Either B reached the database on a fresh connection and refuses the certificate, or it could not and says
        // so: never a 200 on the snapshot from before the revocation.
        output.WriteLine($"B answered {(int)response.StatusCode} {revoking.Elapsed.TotalSeconds:0.0} s after the revocation started");
        Assert.Contains(response.StatusCode, new[] { HttpStatusCode.Forbidden, HttpStatusCode.ServiceUnavailable });
        await AssertProblem(response, response.StatusCode, response.StatusCode == HttpStatusCode.Forbidden ? ProblemTypes.RevokedCertificate : ProblemTypes.DatabaseUnavailable);
    }

    /// <summary>The server-side view (client_port) of the trust listeners' connections to this test database.</summary>
    private static async Task<List<int>> ListenerPortsAsync(TestDatabase database)
    {
        await using var connection = new NpgsqlConnection(TestDatabase.AdminConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT client_port FROM pg_stat_activity WHERE datname = @name AND application_name = @application", connection);
        command.Parameters.AddWithValue("name", database.Name!);
        command.Parameters.AddWithValue("application", TrustListener.ApplicationName);
        var ports = new List<int>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            ports.Add(reader.GetInt32(0));
        }

        Assert.Equal(2, ports.Count);
        return ports;
    }

    private static async Task WaitAsync(Func<bool> condition, TimeSpan timeout, string what)
    {
        var waited = Stopwatch.StartNew();
        while (!condition() && waited.Elapsed < timeout)
        {
            await Task.Delay(25);
        }

        Assert.True(condition(), $"timed out waiting until {what}");
    }
}
