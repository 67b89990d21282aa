using System.Diagnostics.Metrics;

namespace Ams.Daemon.Metrics;

/// <summary>
/// The management service's one meter: every feature creates its instruments on it through the host's
/// <see cref="IMeterFactory"/>, and the exporter publishes them as the <c>ams_</c> metrics (docs/operations.md).
/// </summary>
internal static class AmsMeter
{
    public const string Name = "ams";

    public static Meter Create(IMeterFactory meters) => meters.Create(Name);
}
