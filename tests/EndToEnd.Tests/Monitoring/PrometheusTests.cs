using System.Globalization;
using Aar.Cli.Common;
using Xunit.Abstractions;

namespace EndToEnd.Tests.Monitoring;

/// <summary>
/// Debian's Prometheus scraping a real registry and two real AMS (publisher and client) every second, with the shipped
/// alerting rules loaded, read back through its HTTP API as an operator's dashboard or alert would read them.
/// </summary>
public sealed class PrometheusTests(ITestOutputHelper output)
{
    /// <summary>The documented query for the clients whose last listing is older than the registry's generation.</summary>
    private const string ClientsBehind = "max by (client, fingerprint) (aar_client_fetched_generation) < scalar(max(aar_generation))";

    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    [NeedsPrometheusFact]
    public async Task Prometheus_sees_a_client_behind_after_a_publish_caught_up_after_its_sync_and_alerts_once_it_is_revoked()
    {
        await using var site = await Site.StartJoinedAsync(output, withMetrics: true, registryArguments: ExportedMetrics.RegistryArguments);
        var (registry, publisher, client) = site;
        await publisher.SyncOkAsync();
        // The client's first listing: from here on the registry knows which generation it has.
        await client.SyncOkAsync();
        var clientFingerprint = Certificates.FingerprintOf(client.ClientCertificate);
        var clientLabel = clientFingerprint[..16];
        await using var prometheus = await PrometheusServer.StartAsync(Path.Combine(site.Root, "prometheus"), Configuration(registry, publisher, client));
        try
        {
            var up = await prometheus.QueryUntilAsync("up", r => r.Count == 3 && r.All(s => s.Value == 1), "the registry and both AMS scraped and up", Patience);
            Assert.Equal(["aar", "ams/cli", "ams/pub"], up.Select(s => s.Labels["job"] + (s.Labels.TryGetValue("ams", out var ams) ? "/" + ams : "")).Order(StringComparer.Ordinal));
            await prometheus.QueryUntilAsync(ClientsBehind, r => r.Count == 0, "no client behind before the publish", Patience);
            var before = Single(await prometheus.QueryUntilAsync("aar_generation", r => r.Count == 1, "the registry's generation", Patience));

            await publisher.CreateAndPublishAsync("game", Packages.Small(publisher, "game"));
            await publisher.SyncOkAsync();

            var generation = Single(await prometheus.QueryUntilAsync("aar_generation", r => r.Count == 1 && r[0].Value > before, "the registry's generation to move past the publish", Patience));
            var behind = await prometheus.QueryUntilAsync(ClientsBehind, r => r.Any(s => s.Labels["fingerprint"] == clientLabel), "the client shown behind", Patience);
            Assert.True(behind.Single(s => s.Labels["fingerprint"] == clientLabel).Value < generation, string.Join(", ", behind));

            await client.SyncOkAsync();

            await prometheus.QueryUntilAsync(ClientsBehind, r => r.All(s => s.Labels["fingerprint"] != clientLabel), "the client no longer behind after its sync", Patience);
            await prometheus.QueryUntilAsync($"aar_client_fetched_generation{{fingerprint=\"{clientLabel}\"}} == {Number(generation)}", r => r.Count == 1, "the registry to see the client fetch the new generation", Patience);
            await prometheus.QueryUntilAsync($"ams_sync_registry_generation{{ams=\"cli\"}} == {Number(generation)}", r => r.Count == 1, "the client to report the registry's new generation", Patience);
            await prometheus.QueryUntilAsync("ams_sync_generation_lag{ams=\"cli\"} == 0", r => r.Count == 1, "the client's lag at 0", Patience);
            await prometheus.QueryUntilAsync("ams_sync_versions_total{ams=\"cli\", action=\"imported\"} == 1", r => r.Count == 1, "the client's imported version counted", Patience);
            // The shipped rules load and evaluate against the real series without errors (none of them is firing here).
            var rules = await PollRulesAsync(prometheus);
            Assert.Equal(8, rules.Count);
            Assert.Empty(await prometheus.QueryAsync("ALERTS"));
            await EveryDashboardQueryShowsDataAsync(prometheus);

            // The client is revoked and keeps calling: the shipped rules fire in this Prometheus, on both sides.
            var revoke = await registry.AarAsync("trust", "revoke", clientFingerprint, "--yes");
            Assert.True(revoke.ExitCode == 0, revoke.ToString());
            var (refused, _) = await client.SyncAsync();
            Assert.Equal(ExitCodes.Conflict, refused.ExitCode);

            var knocking = await prometheus.QueryUntilAsync("ALERTS{alertname=\"AarRevokedCertificateKnocking\", alertstate=\"firing\"}", r => r.Count == 1, "the revoked-certificate alert firing", Patience);
            Assert.Equal(("aar", "revoked"), (knocking[0].Labels["job"], knocking[0].Labels["outcome"]));
            var failing = await prometheus.QueryUntilAsync("ALERTS{alertname=\"AmsSyncPassesFailing\", alertstate=\"firing\"}", r => r.Count == 1, "the failed-pass alert firing", Patience);
            Assert.Equal(("cli", "failed"), (failing[0].Labels["ams"], failing[0].Labels["result"]));
        }
        finally
        {
            output.WriteLine($"--- prometheus ---\n{prometheus.Log}");
        }
    }

    private static async Task<IReadOnlyList<(string Group, string Name, string Health, string? LastError)>> PollRulesAsync(PrometheusServer prometheus)
    {
        var deadline = DateTime.UtcNow + Patience;
        while (true)
        {
            var rules = await prometheus.RulesAsync();
            Assert.DoesNotContain(rules, r => r.Health == "err");
            if (rules.Count > 0 && rules.All(r => r.Health == "ok"))
            {
                return rules;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"Waited {Patience} for every rule to be evaluated: {string.Join(", ", rules)}");
            }

            await Task.Delay(250);
        }
    }

    /// <summary>
    /// Every query of the shipped dashboard, with its variables as Grafana would fill them ("All" selected), is valid
    /// PromQL and returns at least one series from this fleet: no panel is empty against real daemons.
    /// </summary>
    private static async Task EveryDashboardQueryShowsDataAsync(PrometheusServer prometheus)
    {
        var empty = new List<string>();
        var queries = DashboardTests.DashboardQueries().ToList();
        Assert.True(queries.Count > 30, $"only {queries.Count} dashboard queries found");
        foreach (var (panel, expression) in queries)
        {
            var filled = expression
                .Replace("$aar_job", "aar", StringComparison.Ordinal).Replace("$ams_job", "ams", StringComparison.Ordinal)
                .Replace("$aar_instance", ".*", StringComparison.Ordinal).Replace("$ams_instance", ".*", StringComparison.Ordinal)
                .Replace("$__rate_interval", "1m", StringComparison.Ordinal);
            if ((await prometheus.QueryAsync(filled)).Count == 0)
            {
                empty.Add($"panel '{panel}': {filled}");
            }
        }

        Assert.True(empty.Count == 0, $"Dashboard queries without data:\n{string.Join('\n', empty)}");
    }

    private static double Single(IReadOnlyList<PrometheusSample> result) => Assert.Single(result).Value;

    private static string Number(double value) => value.ToString(CultureInfo.InvariantCulture);

    /// <summary>The shipped configuration's jobs, scraped every second, with the shipped rules.</summary>
    private static string Configuration(RegistryNode registry, AmsNode publisher, AmsNode client) => $"""
        global:
          scrape_interval: 1s
          evaluation_interval: 1s
        rule_files:
          - {MonitoringTools.Alerts}
        scrape_configs:
          - job_name: aar
            static_configs:
              - targets: ["127.0.0.1:{registry.MetricsPort}"]
          - job_name: ams
            static_configs:
              - targets: ["{publisher.MetricsUrl!.Authority}"]
                labels:
                  ams: {publisher.Name}
              - targets: ["{client.MetricsUrl!.Authority}"]
                labels:
                  ams: {client.Name}

        """;
}
