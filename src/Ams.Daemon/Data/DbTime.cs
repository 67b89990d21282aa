using System.Globalization;

namespace Ams.Daemon.Data;

/// <summary>Times in the database: ISO 8601 UTC text with milliseconds, sortable as text.</summary>
internal static class DbTime
{
    public static string Format(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture);

    public static DateTimeOffset Parse(string text) =>
        DateTimeOffset.Parse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal);
}
