using System.Text.Json.Nodes;
using Xunit.Abstractions;

namespace EndToEnd.Tests.Monitoring;

/// <summary>
/// The shipped Grafana dashboard and alerting rules against what the real daemons export: every query names only
/// metrics a real scrape shows, so a renamed metric fails here instead of leaving an empty panel or a silent alert.
/// (Grafana is not in Debian: the dashboard's structure is checked here, not its rendering.)
/// </summary>
public sealed class DashboardTests(ITestOutputHelper output)
{
    /// <summary>Series Prometheus makes itself, and node_exporter's file-system series for the disk alert.</summary>
    private static readonly HashSet<string> NotOurs = new(StringComparer.Ordinal)
    {
        "up", "node_filesystem_avail_bytes", "node_filesystem_size_bytes", "node_filesystem_readonly",
    };

    [Fact]
    public async Task Every_dashboard_and_alert_query_names_only_metrics_the_daemons_export()
    {
        await using var site = await Site.StartJoinedAsync(output, withMetrics: true, registryArguments: ExportedMetrics.RegistryArguments);
        var exported = await ExportedMetrics.AfterTrafficAsync(site);
        var queries = DashboardQueries().Select(q => ($"panel '{q.Panel}'", q.Expression))
            .Concat(AlertRules.Expressions(MonitoringTools.Alerts).Select(e => ("alerts.yml", e)))
            .ToList();

        var unknown = new List<string>();
        var used = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (where, expression) in queries)
        {
            var names = PromQl.MetricNames(expression);
            Assert.True(names.Count > 0, $"{where}: no metric in {expression}");
            used.UnionWith(names);
            unknown.AddRange(names.Where(n => !exported.Contains(n) && !NotOurs.Contains(n)).Select(n => $"{where}: {n} in {expression}"));
        }

        Assert.True(unknown.Count == 0, $"Names no daemon exports:\n{string.Join('\n', unknown)}\nExported: {string.Join(' ', exported.Order(StringComparer.Ordinal))}");
        // The dashboard shows every family of both daemons (the exporter's own gauge aside).
        var unshown = exported.Where(n => (n.StartsWith("aar_", StringComparison.Ordinal) || n.StartsWith("ams_", StringComparison.Ordinal))
            && !n.EndsWith("_sum", StringComparison.Ordinal) && !n.EndsWith("_count", StringComparison.Ordinal) && !used.Contains(n));
        Assert.Empty(unshown.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void The_dashboard_has_the_structure_grafana_imports()
    {
        var dashboard = JsonNode.Parse(File.ReadAllText(MonitoringTools.Dashboard))!.AsObject();

        Assert.Equal("aar-registry-ams", (string?)dashboard["uid"]);
        Assert.False(string.IsNullOrWhiteSpace((string?)dashboard["title"]));
        Assert.True((int)dashboard["schemaVersion"]! >= 36, "schemaVersion below Grafana 9's");
        Assert.Equal("DS_PROMETHEUS", (string?)dashboard["__inputs"]![0]!["name"]);
        var variables = dashboard["templating"]!["list"]!.AsArray().Select(v => (string)v!["name"]!).ToHashSet(StringComparer.Ordinal);
        var panels = Panels(dashboard).ToList();
        Assert.Equal(panels.Count, panels.Select(p => (int)p["id"]!).Distinct().Count());
        foreach (var panel in panels)
        {
            var title = (string?)panel["title"];
            var grid = panel["gridPos"]!;
            Assert.True((int)grid["x"]! + (int)grid["w"]! <= 24 && (int)grid["h"]! > 0, $"panel '{title}' does not fit the 24-column grid");
            if ((string?)panel["type"] == "row")
            {
                continue;
            }

            Assert.False(string.IsNullOrWhiteSpace((string?)panel["description"]), $"panel '{title}' has no description");
            var targets = panel["targets"]!.AsArray();
            Assert.True(targets.Count > 0, $"panel '{title}' has no query");
            foreach (var target in targets)
            {
                Assert.Equal("${datasource}", (string?)target!["datasource"]!["uid"]);
                var expression = (string)target["expr"]!;
                var undefined = PromQl.Variables(expression).Where(v => !v.StartsWith("__", StringComparison.Ordinal) && !variables.Contains(v));
                Assert.True(!undefined.Any(), $"panel '{title}' uses undefined variables {string.Join(", ", undefined)}");
            }
        }
    }

    /// <summary>Every panel's queries, with the panel's title (rows' nested panels included).</summary>
    internal static IEnumerable<(string Panel, string Expression)> DashboardQueries()
    {
        var dashboard = JsonNode.Parse(File.ReadAllText(MonitoringTools.Dashboard))!.AsObject();
        return Panels(dashboard)
            .Where(p => p["targets"] is JsonArray)
            .SelectMany(p => p["targets"]!.AsArray().Select(t => ((string)p["title"]!, (string)t!["expr"]!)));
    }

    private static IEnumerable<JsonNode> Panels(JsonObject dashboard) =>
        dashboard["panels"]!.AsArray().SelectMany(p => new[] { p! }.Concat(p!["panels"] is JsonArray nested ? nested.Select(n => n!) : []));
}
