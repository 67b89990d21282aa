namespace EndToEnd.Tests.Monitoring;

/// <summary>
/// Debian's Prometheus (<c>apt-get install prometheus</c>, which brings <c>promtool</c>) and the shipped monitoring
/// files under <c>deploy/</c>, copied next to the test assembly by the project file.
/// </summary>
internal static class MonitoringTools
{
    public const string Prometheus = "/usr/bin/prometheus";
    public const string Promtool = "/usr/bin/promtool";

    public static string Alerts => Deployed("prometheus", "alerts.yml");

    public static string AlertTests => Deployed("prometheus", "alerts.test.yml");

    public static string ExampleConfig => Deployed("prometheus", "prometheus.yml");

    public static string Dashboard => Deployed("grafana", "aar-dashboard.json");

    /// <summary>Why a test needing <paramref name="executable"/> cannot run here, or null when it can.</summary>
    public static string? MissingReason(string executable) =>
        File.Exists(executable) ? null : $"Needs {executable}: apt-get install prometheus (bash .ci/run installs it).";

    private static string Deployed(params string[] parts) => Path.Combine([AppContext.BaseDirectory, "deploy", .. parts]);
}
