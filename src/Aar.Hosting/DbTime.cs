using System.Globalization;

namespace Aar.Hosting;

/// <summary>Times in the databases: ISO 8601 UTC text with milliseconds, which sorts and compares as text.</summary>
public static class DbTime
{
    public static string Format(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture);

    public static DateTimeOffset Parse(string text) =>
        DateTimeOffset.Parse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal);
}
