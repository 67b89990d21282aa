using System.Net;
using Aar.Server.Data;
using Aar.Server.Tls;

namespace Aar.Server.Hosting;

/// <summary>Checks every option and reports all problems at once, each naming the option and the value.</summary>
public static class ServeOptionsValidator
{
    /// <summary>Unix socket paths are limited to 107 bytes by sockaddr_un.</summary>
    private const int MaxSocketPathLength = 107;

    public static IReadOnlyList<string> Validate(ServeOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = new List<string>();
        if (string.IsNullOrWhiteSpace(options.DataDirectory))
        {
            errors.Add("--data-dir is empty: give a directory the server may create and write, e.g. /var/lib/aar.");
        }
        else if (Path.Combine(Path.GetFullPath(options.DataDirectory), DataDirectory.SocketFileName).Length > MaxSocketPathLength)
        {
            errors.Add($"--data-dir '{options.DataDirectory}' is too long for a unix socket path (at most {MaxSocketPathLength - DataDirectory.SocketFileName.Length - 1} characters); choose a shorter directory.");
        }

        if (!ListenAddress.TryParse(options.Listen, out _, out var listenError))
        {
            errors.Add(listenError!);
        }

        foreach (var san in options.ExtraSubjectAlternativeNames)
        {
            if (!IPAddress.TryParse(san, out _) && Uri.CheckHostName(san) != UriHostNameType.Dns)
            {
                errors.Add($"--san '{san}' is neither an IP address nor a DNS name.");
            }
        }

        if (options.MaxBlobBytes <= 0)
        {
            errors.Add($"--max-blob-size '{options.MaxBlobBytes}' must be a positive number of bytes.");
        }

        if (options.UploadIdleTimeout < TimeSpan.FromSeconds(1))
        {
            errors.Add($"--upload-expiry '{options.UploadIdleTimeout}' must be at least one second.");
        }

        if (options.BlobGracePeriod < TimeSpan.FromSeconds(1))
        {
            errors.Add($"--blob-grace '{options.BlobGracePeriod}' must be at least one second.");
        }

        if (!string.IsNullOrWhiteSpace(options.Database) && !PostgresConnectionString.TryParse(options.Database, out _, out var databaseError))
        {
            errors.Add(databaseError!);
        }

        if (options.LogFormat is not ("text" or "json"))
        {
            errors.Add($"--log-format '{options.LogFormat}' is unknown: use text or json.");
        }

        return errors;
    }
}
