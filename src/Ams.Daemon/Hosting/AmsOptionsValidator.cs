using Aar.Hosting;
using Ams.Daemon.Applications;

namespace Ams.Daemon.Hosting;

/// <summary>Checks every option and reports all problems at once, each naming the option and the value.</summary>
public static class AmsOptionsValidator
{
    public static IReadOnlyList<string> Validate(AmsOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = new List<string>();
        if (string.IsNullOrWhiteSpace(options.DataDirectory))
        {
            errors.Add("--data-dir is empty: give a directory the daemon may create and write, e.g. /var/lib/ams.");
        }
        else if (PrivateUnixSocket.CheckDataDirectory(options.DataDirectory) is { } socketError)
        {
            errors.Add(socketError);
        }

        if (!Architectures.Known.Contains(options.Architecture, StringComparer.Ordinal))
        {
            errors.Add($"--architecture '{options.Architecture}' is unknown: use {string.Join(" or ", Architectures.Known)}.");
        }

        if (options.MetricsListen is { } metrics && !MetricsListener.TryParse(metrics, out _, out var metricsError))
        {
            errors.Add(metricsError!);
        }

        if (options.LogFormat is not ("text" or "json"))
        {
            errors.Add($"--log-format '{options.LogFormat}' is unknown: use text or json.");
        }

        if (DaemonLogLevel.Check(options.LogLevel) is { } levelError)
        {
            errors.Add(levelError);
        }

        if (options.MaxPackageBytes < 1024)
        {
            errors.Add($"--max-package-size {options.MaxPackageBytes} is too small: give at least 1024 bytes (default {AmsOptions.DefaultMaxPackageBytes}).");
        }

        return errors;
    }
}
