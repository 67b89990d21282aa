using Aar.Cli.Serve;
using System.Globalization;
using Aar.Cli.Common;
using Aar.Protocol;
using Aar.Protocol.Registry;

namespace Aar.Cli.Applications;

/// <summary>How <c>aar application</c> prints: one row per application in tables, every field in json/yaml.</summary>
internal static class ApplicationOutput
{
    public static void WriteList(CliConsole console, OutputFormat format, ApplicationListing listing)
    {
        string[] headers = ["NAME", "ARCHITECTURE", "VERSIONS", "LATEST", "SIZE", "OWNER", "LAST UPDATED"];
        var rows = listing.Applications.Select(a =>
        {
            var latest = a.Versions.Count > 0 ? a.Versions[^1] : null;
            return (IReadOnlyList<string>)
            [
                a.Name,
                a.Architecture,
                a.Versions.Count.ToString(CultureInfo.InvariantCulture),
                latest?.Version.ToString(CultureInfo.InvariantCulture) ?? "-",
                latest is null ? "-" : Size(latest.Size, format == OutputFormat.Table),
                format == OutputFormat.Table ? a.Owner[..12] : a.Owner,
                Time(latest?.CreatedAt ?? a.CreatedAt),
            ];
        });
        switch (format)
        {
            case OutputFormat.Table:
                DataWriter.WriteTable(console, headers, rows);
                break;
            case OutputFormat.Csv:
                DataWriter.WriteCsv(console, headers, rows);
                break;
            case OutputFormat.Json:
                DataWriter.WriteJson(console, listing, ProtocolJsonContext.Default.ApplicationListing);
                break;
            default:
                DataWriter.WriteYaml(console, new Dictionary<string, object>
                {
                    ["generation"] = listing.Generation,
                    ["applications"] = listing.Applications.Select(ToYaml).ToList(),
                });
                break;
        }
    }

    public static Dictionary<string, object> ToYaml(ApplicationRecord application) => new()
    {
        ["name"] = application.Name,
        ["architecture"] = application.Architecture,
        ["owner"] = application.Owner,
        ["created_at"] = Time(application.CreatedAt),
        ["versions"] = application.Versions.Select(v => new Dictionary<string, object>
        {
            ["version"] = v.Version,
            ["digest"] = v.Digest,
            ["size"] = v.Size,
            ["tags"] = v.Tags.ToList(),
            ["created_at"] = Time(v.CreatedAt),
            ["publisher"] = v.Publisher,
            ["generation"] = v.Generation,
            ["manifest"] = v.Manifest.GetRawText(),
        }).ToList(),
    };

    private static string Size(long bytes, bool human) => human ? Units.FormatSize(bytes) : bytes.ToString(CultureInfo.InvariantCulture);

    private static string Time(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);
}
