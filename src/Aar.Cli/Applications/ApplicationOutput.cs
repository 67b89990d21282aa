using Aar.Cli.Common;
using Aar.Protocol;
using Aar.Protocol.Registry;

namespace Aar.Cli.Applications;

/// <summary>
/// How <c>aar application list</c> prints: one row per application in tables and csv (<c>VERSIONS</c> is how many
/// versions it has, <c>LATEST</c> the highest number), the whole listing in json/yaml.
/// </summary>
internal static class ApplicationOutput
{
    public static void WriteList(CliConsole console, OutputFormat format, ApplicationListing listing)
    {
        if (format is OutputFormat.Json or OutputFormat.Yaml)
        {
            DataWriter.Write(console, format, listing, ProtocolJsonContext.Default.ApplicationListing);
            return;
        }

        string[] headers = ["NAME", "ARCHITECTURE", "VERSIONS", "LATEST", "SIZE", "OWNER", "LAST UPDATED"];
        var rows = listing.Applications.Select(a =>
        {
            var latest = a.Versions.Count > 0 ? a.Versions.MaxBy(v => v.Version) : null;
            return (IReadOnlyList<string>)
            [
                a.Name,
                a.Architecture,
                CellText.Number(a.Versions.Count),
                latest is null ? "-" : CellText.Number(latest.Version),
                latest is null ? "-" : CellText.Size(latest.Size, format),
                CellText.Fingerprint(a.Owner, format),
                CellText.Time(latest?.CreatedAt ?? a.CreatedAt),
            ];
        });
        if (format == OutputFormat.Csv)
        {
            DataWriter.WriteCsv(console, headers, rows);
        }
        else
        {
            DataWriter.WriteTable(console, headers, rows);
        }
    }
}
