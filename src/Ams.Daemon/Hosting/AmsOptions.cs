using Aar.Hosting;
using Ams.Daemon.Applications;

namespace Ams.Daemon.Hosting;

/// <summary>How <c>ams serve</c> runs. Checked by <see cref="AmsOptionsValidator"/> before anything starts.</summary>
public sealed record AmsOptions
{
    public const long DefaultMaxPackageBytes = 10L * 1024 * 1024 * 1024;

    /// <summary>Data directory (<c>--data-dir</c>, <c>AMS_DATA_DIR</c>); default <c>/var/lib/ams</c>. Created on first start.</summary>
    public required string DataDirectory { get; init; }

    /// <summary>CPU architecture of the applications this AMS manages (<c>--architecture</c>): <c>amd64</c> or <c>arm64</c>; default the host's.</summary>
    public string Architecture { get; init; } = Architectures.Host;

    /// <summary>Log format on stderr: <c>text</c> (default) or <c>json</c>.</summary>
    public string LogFormat { get; init; } = "text";

    /// <summary>
    /// The least severe log level written (<c>--log-level</c>): <c>trace</c>, <c>debug</c> (per-request detail),
    /// <c>information</c> (default), <c>warning</c>, <c>error</c> or <c>critical</c>.
    /// </summary>
    public string LogLevel { get; init; } = DaemonLogLevel.Default;

    /// <summary>
    /// Plain-HTTP address of the metrics and health listener (<c>--metrics-listen</c>, e.g. <c>127.0.0.1:9101</c>):
    /// <c>/metrics</c>, <c>/healthz</c>, <c>/readyz</c>, no authentication. Null (default) = no such listener.
    /// </summary>
    public string? MetricsListen { get; init; }

    /// <summary>Largest package accepted, in bytes (<c>--max-package-size</c>); also the most a package may expand to. Default 10 GiB.</summary>
    public long MaxPackageBytes { get; init; } = DefaultMaxPackageBytes;
}
