using System.Globalization;
using CertificateFingerprint = Aar.Protocol.Certificates.Fingerprint;

namespace Aar.Cli.Common;

/// <summary>How values look in tables and csv, the same in every command of both CLIs (docs/cli.md).</summary>
public static class CellText
{
    /// <summary>RFC 3339 UTC to the second, <c>2026-12-01T06:30:00Z</c>: the one time format of every output.</summary>
    public static string Time(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    /// <summary>A time, or <c>-</c> when there is none.</summary>
    public static string Time(DateTimeOffset? time) => time is { } value ? Time(value) : "-";

    /// <summary>A size for people in tables (1.5 GiB, 12.0 MiB, 3.2 KiB, 512 B); csv, json and yaml carry bytes.</summary>
    public static string Size(long bytes) => bytes switch
    {
        >= 1L << 40 => string.Create(CultureInfo.InvariantCulture, $"{bytes / (double)(1L << 40):0.0} TiB"),
        >= 1L << 30 => string.Create(CultureInfo.InvariantCulture, $"{bytes / (double)(1L << 30):0.0} GiB"),
        >= 1L << 20 => string.Create(CultureInfo.InvariantCulture, $"{bytes / (double)(1L << 20):0.0} MiB"),
        >= 1L << 10 => string.Create(CultureInfo.InvariantCulture, $"{bytes / 1024.0:0.0} KiB"),
        _ => string.Create(CultureInfo.InvariantCulture, $"{bytes} B"),
    };

    /// <summary>A size for a table (human units) or for csv (exact bytes).</summary>
    public static string Size(long bytes, OutputFormat format) => format == OutputFormat.Table ? Size(bytes) : Number(bytes);

    /// <summary>A fingerprint: its first 12 hex characters in a table (enough to tell apart and to pass as a prefix), whole in csv.</summary>
    public static string Fingerprint(string fingerprint, OutputFormat format)
    {
        ArgumentNullException.ThrowIfNull(fingerprint);
        return format == OutputFormat.Table && fingerprint.Length > CertificateFingerprint.MinimumPrefixLength ? fingerprint[..CertificateFingerprint.MinimumPrefixLength] : fingerprint;
    }

    public static string Number(long value) => value.ToString(CultureInfo.InvariantCulture);

    public static string Flag(bool value) => value ? "true" : "false";

    /// <summary>A list in one cell, comma-separated (csv quotes the cell).</summary>
    public static string List<T>(IEnumerable<T> values) => string.Join(',', values);
}
