using System.Net;
using TestSupport;
using Xunit.Abstractions;

namespace Ams.Daemon.Tests.Sync;

/// <summary>
/// The AMS's sync metrics and the registry's per-client view of it, from real passes between a registry and two AMS
/// over mutual TLS, read back from real scrapes of both daemons.
/// </summary>
public sealed class SyncMetricsTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Passes_transfers_and_generation_lag_are_reported_by_both_sides()
    {
        await using var rig = new SyncRig(output, await RegistryTestServer.StartAsync(output, configure: o => o with { MetricsListen = "127.0.0.1:0" }));
        var publisher = await rig.JoinAsync("publisher", metrics: true);
        var client = await rig.JoinAsync("client", metrics: true);
        var registryMetrics = rig.Registry.Host.MetricsAddress!;
        var clientLabel = client.Host.ClientFingerprint[..16];

        await SyncRig.CreateAsync(publisher, "chess");
        var pushBefore = await MetricsScrape.GetAsync(publisher.Host.MetricsAddress!);
        Assert.Equal("ok", (await SyncRig.SyncAsync(publisher)).Result);
        var pushed = await MetricsScrape.GetAsync(publisher.Host.MetricsAddress!);
        Assert.Equal(1, Moved(pushBefore, pushed, "ams_sync_versions_total", ("action", "uploaded")));
        Assert.True(Moved(pushBefore, pushed, "ams_sync_package_bytes_total", ("direction", "up")) > 0);
        Assert.Equal(1, Moved(pushBefore, pushed, "ams_sync_passes_total", ("result", "ok")));
        Assert.Equal(1, Moved(pushBefore, pushed, "ams_sync_pass_duration_seconds_count"));

        // The registry moved ahead of the client AMS, which has not pulled since it joined.
        var registryAhead = await MetricsScrape.GetAsync(registryMetrics);
        var generation = registryAhead.Value("aar_generation");
        Assert.True(registryAhead.Value("aar_client_fetched_generation", ("fingerprint", clientLabel)) < generation);

        var pullBefore = await MetricsScrape.GetAsync(client.Host.MetricsAddress!);
        Assert.Equal("ok", (await SyncRig.SyncAsync(client)).Result);
        var pulled = await MetricsScrape.GetAsync(client.Host.MetricsAddress!);
        Assert.Equal(1, Moved(pullBefore, pulled, "ams_sync_versions_total", ("action", "imported")));
        Assert.Equal(Moved(pushBefore, pushed, "ams_sync_package_bytes_total", ("direction", "up")), Moved(pullBefore, pulled, "ams_sync_package_bytes_total", ("direction", "down")));
        Assert.Equal(generation, pulled.Value("ams_sync_registry_generation"));
        Assert.Equal(0, pulled.Value("ams_sync_generation_lag"));
        Assert.InRange(pulled.Value("ams_sync_last_success_timestamp_seconds"), DateTimeOffset.UtcNow.ToUnixTimeSeconds() - 60, DateTimeOffset.UtcNow.ToUnixTimeSeconds() + 1);
        Assert.Equal(0, pulled.Value("ams_sync_passes_total", ("result", "failed")));

        var caughtUp = await MetricsScrape.GetAsync(registryMetrics);
        Assert.Equal(generation, caughtUp.Value("aar_client_fetched_generation", ("fingerprint", clientLabel)));

        using var http = new HttpClient { BaseAddress = client.Host.MetricsAddress };
        using var ready = await http.GetAsync("/readyz");
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        Assert.Contains("\ndatabase: Healthy", await ready.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_failed_pass_is_counted_and_leaves_the_last_success_time_alone()
    {
        await using var rig = new SyncRig(output, await RegistryTestServer.StartAsync(output));
        var client = await rig.JoinAsync("client", metrics: true);
        Assert.Equal("ok", (await SyncRig.SyncAsync(client)).Result);
        var before = await MetricsScrape.GetAsync(client.Host.MetricsAddress!);
        var lastSuccess = before.Value("ams_sync_last_success_timestamp_seconds");

        await rig.Registry.StopAsync();
        Assert.Equal("failed", (await SyncRig.SyncAsync(client)).Result);

        var after = await MetricsScrape.GetAsync(client.Host.MetricsAddress!);
        Assert.Equal(1, Moved(before, after, "ams_sync_passes_total", ("result", "failed")));
        Assert.True(Moved(before, after, "ams_sync_problems_total", ("kind", "error")) >= 1);
        Assert.Equal(lastSuccess, after.Value("ams_sync_last_success_timestamp_seconds"));
    }

    [Fact]
    public async Task The_update_interval_is_exported_once_passes_are_scheduled()
    {
        await using var alone = await AmsTestDaemon.StartAsync(output, metrics: true);
        await using var rig = await SyncRig.StartAsync(output);
        var client = await rig.JoinAsync("client", metrics: true);
        using var api = client.Client();

        var withoutRegistry = await MetricsScrape.GetAsync(alone.Host.MetricsAddress!);
        var joined = await MetricsScrape.GetAsync(client.Host.MetricsAddress!);
        Assert.True((await api.SetConfigAsync("registry.update_interval", "5m")).Succeeded);
        var changed = await MetricsScrape.GetAsync(client.Host.MetricsAddress!);

        // An AMS with no registry schedules no pass, so "not synced for 3 intervals" has nothing to compare with.
        Assert.Empty(withoutRegistry.Find("ams_sync_update_interval_seconds"));
        Assert.Equal(3600, joined.Value("ams_sync_update_interval_seconds"));
        Assert.Equal(300, changed.Value("ams_sync_update_interval_seconds"));
    }

    private static double Moved(MetricsScrape before, MetricsScrape after, string name, params (string Name, string Value)[] labels) =>
        after.ValueOrZero(name, labels) - before.ValueOrZero(name, labels);
}
