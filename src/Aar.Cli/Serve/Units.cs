using System.Globalization;
using Aar.Cli.Common;

namespace Aar.Cli.Serve;

/// <summary>Parses sizes (<see cref="SizeText"/>) and prints them for people.</summary>
internal static partial class Units
{
    public static bool TryParseSize(string text, out long bytes) => SizeText.TryParse(text, out bytes);

    /// <summary>A size for people: 1.5 GiB, 12.0 MiB, 3.2 KiB, 512 B.</summary>
    public static string FormatSize(long bytes) => bytes switch
    {
        >= 1L << 30 => string.Create(CultureInfo.InvariantCulture, $"{bytes / (double)(1L << 30):0.0} GiB"),
        >= 1L << 20 => string.Create(CultureInfo.InvariantCulture, $"{bytes / (double)(1L << 20):0.0} MiB"),
        >= 1L << 10 => string.Create(CultureInfo.InvariantCulture, $"{bytes / 1024.0:0.0} KiB"),
        _ => string.Create(CultureInfo.InvariantCulture, $"{bytes} B"),
    };
}
