using Aar.Cli.Common;
using Aar.Protocol;
using Aar.Protocol.Admin;

namespace Aar.Cli.Trust;

/// <summary>
/// <c>aar trust list</c> output: a table (short fingerprints) or csv for people and spreadsheets; json and yaml are
/// the admin API's entries with snake_case keys (<c>fingerprint</c>, <c>role</c>, <c>added_at</c>), docs/cli.md.
/// </summary>
internal static class TrustListOutput
{
    public static void WriteTrusted(CliConsole console, OutputFormat format, IReadOnlyList<TrustEntry> entries)
    {
        if (format is OutputFormat.Json or OutputFormat.Yaml)
        {
            DataWriter.Write(console, format, entries.ToList(), ProtocolJsonContext.Default.ListTrustEntry);
            return;
        }

        string[] headers = ["NAME", "FINGERPRINT", "ROLE", "ADDED", "EXPIRES"];
        var rows = entries.Select(e => (IReadOnlyList<string>)[e.Name, CellText.Fingerprint(e.Fingerprint, format), e.Role, CellText.Time(e.AddedAt), CellText.Time(e.ExpiresAt)]);
        Rows(console, format, headers, rows);
    }

    public static void WriteRevoked(CliConsole console, OutputFormat format, IReadOnlyList<RevokedEntry> entries)
    {
        if (format is OutputFormat.Json or OutputFormat.Yaml)
        {
            DataWriter.Write(console, format, entries.ToList(), ProtocolJsonContext.Default.ListRevokedEntry);
            return;
        }

        string[] headers = ["NAME", "FINGERPRINT", "REVOKED"];
        Rows(console, format, headers, entries.Select(e => (IReadOnlyList<string>)[e.Name, CellText.Fingerprint(e.Fingerprint, format), CellText.Time(e.RevokedAt)]));
    }

    private static void Rows(CliConsole console, OutputFormat format, string[] headers, IEnumerable<IReadOnlyList<string>> rows)
    {
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
