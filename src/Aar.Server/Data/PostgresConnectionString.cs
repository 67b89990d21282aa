using System.Globalization;
using System.Net;
using Npgsql;

namespace Aar.Server.Data;

/// <summary>
/// <c>--database</c> / <c>AAR_DATABASE</c>: a PostgreSQL URL (<c>postgres://user:password@host:port/database?sslmode=verify-full&amp;sslrootcert=/path</c>,
/// other query keys are Npgsql keywords) or an Npgsql keyword string (<c>Host=db;Port=5432;Database=aar;Username=aar;Password=…</c>).
/// Messages and logs name the server with <see cref="Describe"/>, which never includes the password.
/// </summary>
internal static class PostgresConnectionString
{
    public const string Option = "--database";

    private const string Forms = "a PostgreSQL URL (postgres://user:password@host:port/database) or an Npgsql connection string (Host=…;Database=…;Username=…)";

    public static bool TryParse(string text, out NpgsqlConnectionStringBuilder? builder, out string? error)
    {
        builder = null;
        error = null;
        try
        {
            builder = text.Contains("://", StringComparison.Ordinal) ? FromUrl(text) : new NpgsqlConnectionStringBuilder(text);
        }
        catch (Exception ex) when (ex is ArgumentException or FormatException or UriFormatException or KeyNotFoundException)
        {
            // The messages name a keyword or a position, never the value, so they cannot leak a password.
            error = $"{Option} is not {Forms}: {ex.Message.TrimEnd('.')}.";
            return false;
        }

        if (string.IsNullOrWhiteSpace(builder.Host))
        {
            error = $"{Option} names no host: give {Forms}.";
            builder = null;
            return false;
        }

        if (string.IsNullOrEmpty(builder.ApplicationName))
        {
            // Shows up in pg_stat_activity, so a DBA can tell registry connections apart.
            builder.ApplicationName = "aar";
        }

        return true;
    }

    /// <summary>
    /// True when the connection's TLS does not verify the server (SSL mode other than verify-full or verify-ca) and a
    /// host is reachable over a network: then someone on the path could read or change the trust store, and
    /// <c>aar serve</c> warns at start. A loopback address, <c>localhost</c> or a unix socket directory never leaves the
    /// machine. Host names are not resolved (a name that happens to resolve to loopback still gets the warning).
    /// </summary>
    public static bool IsUnverifiedRemote(NpgsqlConnectionStringBuilder builder) =>
        builder.SslMode is not (SslMode.VerifyFull or SslMode.VerifyCA)
        && (builder.Host ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Any(h => !IsLocal(h));

    /// <summary>One entry of Npgsql's comma-separated host list, which may carry its own <c>:port</c>.</summary>
    private static bool IsLocal(string host)
    {
        if (host.StartsWith('/') || host.StartsWith('@'))
        {
            // A unix socket directory, or a Linux abstract socket.
            return true;
        }

        if (host.StartsWith('[') && host.IndexOf(']', StringComparison.Ordinal) is > 0 and var close)
        {
            host = host[1..close];
        }
        else if (host.Count(c => c == ':') == 1)
        {
            host = host[..host.IndexOf(':', StringComparison.Ordinal)];
        }

        return string.Equals(host, "localhost", StringComparison.OrdinalIgnoreCase)
            || (IPAddress.TryParse(host, out var address) && IPAddress.IsLoopback(address));
    }

    /// <summary>user@host:port/database, for messages and logs; the password is never part of it.</summary>
    public static string Describe(NpgsqlConnectionStringBuilder builder) =>
        string.Create(CultureInfo.InvariantCulture, $"{builder.Username ?? "(default user)"}@{builder.Host}:{builder.Port}/{builder.Database ?? builder.Username}");

    /// <summary>
    /// A URL is libpq's form, so its TLS settings are accepted as libpq spells them too (<c>sslmode=verify-full</c>,
    /// <c>sslrootcert=/path</c>), besides the Npgsql keywords (<c>SSL Mode=VerifyFull</c>, <c>Root Certificate=/path</c>).
    /// </summary>
    private static (string Key, string Value) FromLibpq(string key, string value) => key.ToLowerInvariant() switch
    {
        "sslmode" => (key, value.Replace("-", "", StringComparison.Ordinal)),
        "sslrootcert" => ("Root Certificate", value),
        _ => (key, value),
    };

    private static NpgsqlConnectionStringBuilder FromUrl(string text)
    {
        var uri = new Uri(text, UriKind.Absolute);
        if (uri.Scheme is not ("postgres" or "postgresql"))
        {
            throw new ArgumentException($"the URL scheme is '{uri.Scheme}', not postgres or postgresql");
        }

        var builder = new NpgsqlConnectionStringBuilder
        {
            Host = uri.DnsSafeHost,
            Port = uri.Port > 0 ? uri.Port : 5432,
        };
        var database = Uri.UnescapeDataString(uri.AbsolutePath.Trim('/'));
        if (database.Length > 0)
        {
            builder.Database = database;
        }

        if (uri.UserInfo.Length > 0)
        {
            var colon = uri.UserInfo.IndexOf(':', StringComparison.Ordinal);
            builder.Username = Uri.UnescapeDataString(colon < 0 ? uri.UserInfo : uri.UserInfo[..colon]);
            if (colon >= 0)
            {
                builder.Password = Uri.UnescapeDataString(uri.UserInfo[(colon + 1)..]);
            }
        }

        foreach (var pair in uri.Query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var equals = pair.IndexOf('=', StringComparison.Ordinal);
            var key = Uri.UnescapeDataString(equals < 0 ? pair : pair[..equals]);
            var value = Uri.UnescapeDataString(equals < 0 ? "" : pair[(equals + 1)..]);
            (key, value) = FromLibpq(key, value);
            builder[key] = value;
        }

        return builder;
    }
}
