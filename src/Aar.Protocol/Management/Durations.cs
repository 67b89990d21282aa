using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace Aar.Protocol.Management;

/// <summary>Go-style durations as operators type them: <c>30s</c>, <c>5m</c>, <c>1h</c>, <c>1h30m</c> (hours, minutes, seconds; in that order).</summary>
public static partial class Durations
{
    [GeneratedRegex(@"^(?:(?<h>\d{1,6})h)?(?:(?<m>\d{1,7})m)?(?:(?<s>\d{1,9})s)?$", RegexOptions.CultureInvariant)]
    private static partial Regex Pattern();

    public static bool TryParse(string? text, out TimeSpan duration)
    {
        duration = default;
        if (text is null)
        {
            return false;
        }

        var match = Pattern().Match(text);
        if (text.Length == 0 || !match.Success)
        {
            return false;
        }

        duration = TimeSpan.FromHours(Number(match, "h")) + TimeSpan.FromMinutes(Number(match, "m")) + TimeSpan.FromSeconds(Number(match, "s"));
        return true;
    }

    public static string Format(TimeSpan duration)
    {
        var builder = new StringBuilder();
        var hours = (long)duration.TotalHours;
        if (hours > 0)
        {
            builder.Append(CultureInfo.InvariantCulture, $"{hours}h");
        }

        if (duration.Minutes > 0)
        {
            builder.Append(CultureInfo.InvariantCulture, $"{duration.Minutes}m");
        }

        if (duration.Seconds > 0 || builder.Length == 0)
        {
            builder.Append(CultureInfo.InvariantCulture, $"{duration.Seconds}s");
        }

        return builder.ToString();
    }

    private static long Number(Match match, string group) =>
        match.Groups[group].Success ? long.Parse(match.Groups[group].Value, CultureInfo.InvariantCulture) : 0;
}
