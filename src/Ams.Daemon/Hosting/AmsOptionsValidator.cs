namespace Ams.Daemon.Hosting;

/// <summary>Checks every option and reports all problems at once, each naming the option and the value.</summary>
public static class AmsOptionsValidator
{
    /// <summary>Unix socket paths are limited to 107 bytes by sockaddr_un.</summary>
    private const int MaxSocketPathLength = 107;

    public static IReadOnlyList<string> Validate(AmsOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = new List<string>();
        if (string.IsNullOrWhiteSpace(options.DataDirectory))
        {
            errors.Add("--data-dir is empty: give a directory the daemon may create and write, e.g. /var/lib/ams.");
        }
        else if (Path.Combine(Path.GetFullPath(options.DataDirectory), Aar.Protocol.IO.PrivateSocket.BindDirectoryName, DataDirectory.SocketFileName).Length > MaxSocketPathLength)
        {
            errors.Add($"--data-dir '{options.DataDirectory}' is too long for a unix socket path (at most {MaxSocketPathLength - Aar.Protocol.IO.PrivateSocket.BindDirectoryName.Length - DataDirectory.SocketFileName.Length - 2} characters); choose a shorter directory.");
        }

        if (!Architectures.Known.Contains(options.Architecture, StringComparer.Ordinal))
        {
            errors.Add($"--architecture '{options.Architecture}' is unknown: use {string.Join(" or ", Architectures.Known)}.");
        }

        if (options.LogFormat is not ("text" or "json"))
        {
            errors.Add($"--log-format '{options.LogFormat}' is unknown: use text or json.");
        }

        if (options.MaxPackageBytes < 1024)
        {
            errors.Add($"--max-package-size {options.MaxPackageBytes} is too small: give at least 1024 bytes (default {AmsOptions.DefaultMaxPackageBytes}).");
        }

        return errors;
    }
}
