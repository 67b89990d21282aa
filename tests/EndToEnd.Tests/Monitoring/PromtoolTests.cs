using System.Diagnostics;

namespace EndToEnd.Tests.Monitoring;

/// <summary>The shipped alerting rules and example configuration, checked by Debian's <c>promtool</c> as a real process.</summary>
public sealed class PromtoolTests
{
    [NeedsPrometheusFact(MonitoringTools.Promtool)]
    public async Task The_alerting_rules_are_valid()
    {
        var (exitCode, output) = await PromtoolAsync("check", "rules", MonitoringTools.Alerts);

        Assert.True(exitCode == 0, output);
        Assert.Contains("SUCCESS: 8 rules found", output, StringComparison.Ordinal);
    }

    [NeedsPrometheusFact(MonitoringTools.Promtool)]
    public async Task The_example_configuration_is_valid_and_loads_the_rules()
    {
        var (exitCode, output) = await PromtoolAsync("check", "config", MonitoringTools.ExampleConfig);

        Assert.True(exitCode == 0, output);
        Assert.Contains("SUCCESS: 1 rule files found", output, StringComparison.Ordinal);
    }

    [NeedsPrometheusFact(MonitoringTools.Promtool)]
    public async Task Each_alert_fires_on_its_synthetic_series_and_stays_quiet_otherwise()
    {
        var (exitCode, output) = await PromtoolAsync("test", "rules", MonitoringTools.AlertTests);

        Assert.True(exitCode == 0, output);
        Assert.Contains("SUCCESS", output, StringComparison.Ordinal);
    }

    private static async Task<(int ExitCode, string Output)> PromtoolAsync(params string[] args)
    {
        var info = new ProcessStartInfo(MonitoringTools.Promtool)
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
            // promtool resolves rule_files relative to the file it checks; the working directory makes that explicit.
            WorkingDirectory = Path.GetDirectoryName(MonitoringTools.Alerts)!,
        };
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, $"promtool {string.Join(' ', args)} exited {process.ExitCode}:\n{await stdout}{await stderr}");
    }
}
