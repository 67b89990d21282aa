using System.Globalization;
using System.Text.RegularExpressions;

namespace Aar.Protocol.Text;

/// <summary>
/// Durations as people type them: <c>30s</c>, <c>5m</c>, <c>1h30m</c>, <c>7d</c> (units d, h, m, s, each at most
/// once, largest first). No bare numbers: "5" could mean anything.
/// </summary>
public static partial class DurationText
{
    public static bool TryParse(string? text, out TimeSpan duration)
    {
        duration = TimeSpan.Zero;
        if (string.IsNullOrWhiteSpace(text))
        {
            return false;
        }

        var match = Pattern().Match(text.Trim());
        if (!match.Success || match.Length == 0)
        {
            return false;
        }

        try
        {
            duration = TimeSpan.FromDays(Part(match, "d")) + TimeSpan.FromHours(Part(match, "h"))
                + TimeSpan.FromMinutes(Part(match, "m")) + TimeSpan.FromSeconds(Part(match, "s"));
        }
        catch (OverflowException)
        {
            return false;
        }

        return true;
    }

    /// <summary>Formats like the input syntax: <c>1h30m</c>, <c>45s</c>, <c>0s</c>.</summary>
    public static string Format(TimeSpan duration)
    {
        if (duration <= TimeSpan.Zero)
        {
            return "0s";
        }

        var text = "";
        if (duration.Days > 0)
        {
            text += duration.Days.ToString(CultureInfo.InvariantCulture) + "d";
        }

        if (duration.Hours > 0)
        {
            text += duration.Hours.ToString(CultureInfo.InvariantCulture) + "h";
        }

        if (duration.Minutes > 0)
        {
            text += duration.Minutes.ToString(CultureInfo.InvariantCulture) + "m";
        }

        if (duration.Seconds > 0)
        {
            text += duration.Seconds.ToString(CultureInfo.InvariantCulture) + "s";
        }

        return text;
    }

    private static long Part(Match match, string unit) =>
        match.Groups[unit].Success ? long.Parse(match.Groups[unit].Value, CultureInfo.InvariantCulture) : 0;

    [GeneratedRegex(@"^(?:(?<d>\d{1,5})d)?(?:(?<h>\d{1,6})h)?(?:(?<m>\d{1,7})m)?(?:(?<s>\d{1,9})s)?$", RegexOptions.CultureInvariant)]
    private static partial Regex Pattern();
}
