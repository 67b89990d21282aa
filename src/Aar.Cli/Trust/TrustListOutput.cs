using System.Globalization;
using System.Text.Json.Serialization;
using Aar.Cli.Common;
using Aar.Protocol.Admin;

namespace Aar.Cli.Trust;

/// <summary>
/// <c>aar trust list</c> output. JSON keys are capitalised (<c>Fingerprint</c>, <c>Role</c>) because the original
/// product's automation reads them that way (anbox-reference §4); YAML keys are lower-case.
/// </summary>
internal static class TrustListOutput
{
    public static void WriteTrusted(CliConsole console, OutputFormat format, IReadOnlyList<TrustEntry> entries)
    {
        string[] headers = ["NAME", "FINGERPRINT", "ROLE", "ADDED", "EXPIRES"];
        switch (format)
        {
            case OutputFormat.Table:
                DataWriter.WriteTable(console, headers, entries.Select(e => (IReadOnlyList<string>)[e.Name, e.Fingerprint[..12], e.Role, Date(e.AddedAt), Date(e.ExpiresAt)]));
                break;
            case OutputFormat.Csv:
                DataWriter.WriteCsv(console, headers, entries.Select(e => (IReadOnlyList<string>)[e.Name, e.Fingerprint, e.Role, Time(e.AddedAt), Time(e.ExpiresAt)]));
                break;
            case OutputFormat.Json:
                DataWriter.WriteJson(console, entries.Select(e => new TrustedRow(e.Name, e.Fingerprint, e.Role, e.Subject, Time(e.AddedAt), Time(e.ExpiresAt))).ToList(), TrustOutputJsonContext.Default.ListTrustedRow);
                break;
            default:
                DataWriter.WriteYaml(console, entries.Select(e => new Dictionary<string, string>
                {
                    ["name"] = e.Name,
                    ["fingerprint"] = e.Fingerprint,
                    ["role"] = e.Role,
                    ["subject"] = e.Subject,
                    ["added"] = Time(e.AddedAt),
                    ["expires"] = Time(e.ExpiresAt),
                }).ToList());
                break;
        }
    }

    public static void WriteRevoked(CliConsole console, OutputFormat format, IReadOnlyList<RevokedEntry> entries)
    {
        string[] headers = ["NAME", "FINGERPRINT", "REVOKED"];
        switch (format)
        {
            case OutputFormat.Table:
                DataWriter.WriteTable(console, headers, entries.Select(e => (IReadOnlyList<string>)[e.Name, e.Fingerprint[..12], Date(e.RevokedAt)]));
                break;
            case OutputFormat.Csv:
                DataWriter.WriteCsv(console, headers, entries.Select(e => (IReadOnlyList<string>)[e.Name, e.Fingerprint, Time(e.RevokedAt)]));
                break;
            case OutputFormat.Json:
                DataWriter.WriteJson(console, entries.Select(e => new RevokedRow(e.Name, e.Fingerprint, e.Subject, Time(e.RevokedAt))).ToList(), TrustOutputJsonContext.Default.ListRevokedRow);
                break;
            default:
                DataWriter.WriteYaml(console, entries.Select(e => new Dictionary<string, string>
                {
                    ["name"] = e.Name,
                    ["fingerprint"] = e.Fingerprint,
                    ["subject"] = e.Subject,
                    ["revoked"] = Time(e.RevokedAt),
                }).ToList());
                break;
        }
    }

    private static string Date(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture);

    private static string Time(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);
}

internal sealed record TrustedRow(string Name, string Fingerprint, string Role, string Subject, string Added, string Expires);

internal sealed record RevokedRow(string Name, string Fingerprint, string Subject, string Revoked);

[JsonSourceGenerationOptions(WriteIndented = true)]
[JsonSerializable(typeof(List<TrustedRow>))]
[JsonSerializable(typeof(List<RevokedRow>))]
internal sealed partial class TrustOutputJsonContext : JsonSerializerContext;
