namespace EndToEnd.Tests.Monitoring;

/// <summary>A test that runs a tool of Debian's prometheus package, and says so instead of running without it.</summary>
[AttributeUsage(AttributeTargets.Method)]
internal sealed class NeedsPrometheusFactAttribute : FactAttribute
{
    public NeedsPrometheusFactAttribute(string executable = MonitoringTools.Prometheus)
    {
        if (MonitoringTools.MissingReason(executable) is { } reason)
        {
            Skip = reason;
        }
    }
}
