using System.Globalization;

namespace Aar.Cli.Common;

/// <summary>
/// Sizes as both CLIs accept them in options: <c>1048576</c>, <c>500MiB</c>, <c>10GiB</c>, <c>2GB</c> (binary units
/// K/KiB … T/TiB, decimal KB … TB, case-insensitive, optional space), so every option that takes a size reads alike.
/// </summary>
public static class SizeText
{
    /// <summary>The sentence an option error ends with: what is accepted, with an example.</summary>
    public const string Accepted = "use bytes or a number with KiB, MiB, GiB, TiB (or KB, MB, GB, TB)";

    public static bool TryParse(string? text, out long bytes)
    {
        bytes = 0;
        var trimmed = text?.Trim() ?? "";
        var digits = 0;
        while (digits < trimmed.Length && char.IsAsciiDigit(trimmed[digits]))
        {
            digits++;
        }

        if (digits == 0 || !long.TryParse(trimmed.AsSpan(0, digits), NumberStyles.None, CultureInfo.InvariantCulture, out var number))
        {
            return false;
        }

        long unit = trimmed[digits..].TrimStart().ToUpperInvariant() switch
        {
            "" or "B" => 1,
            "K" or "KIB" => 1L << 10,
            "M" or "MIB" => 1L << 20,
            "G" or "GIB" => 1L << 30,
            "T" or "TIB" => 1L << 40,
            "KB" => 1_000,
            "MB" => 1_000_000,
            "GB" => 1_000_000_000,
            "TB" => 1_000_000_000_000,
            _ => 0,
        };
        if (unit == 0 || number > long.MaxValue / unit)
        {
            return false;
        }

        bytes = number * unit;
        return true;
    }
}
