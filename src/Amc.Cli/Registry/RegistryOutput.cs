using System.Globalization;
using Aar.Cli.Common;
using Aar.Protocol.Management;
using Aar.Protocol.Text;

namespace Amc.Cli.Registry;

/// <summary>How <c>amc registry …</c> prints: YAML maps with snake_case keys for people, JSON for scripts.</summary>
internal static class RegistryOutput
{
    public static Dictionary<string, object?> Status(RegistryStatus status)
    {
        var result = StatusFields(status);
        if (status.Rejected is { Count: > 0 } rejected)
        {
            result["rejected"] = Rejected(rejected);
        }

        return result;
    }

    /// <summary>Refused registry versions, as <c>amc registry status</c> and <c>amc application show</c> print them.</summary>
    public static List<Dictionary<string, object>> Rejected(IEnumerable<RejectedVersionInfo> rejected) =>
        rejected.Select(r => new Dictionary<string, object>
        {
            ["application"] = r.Application,
            ["version"] = r.Version,
            ["digest"] = r.Digest,
            ["size"] = r.Size,
            ["reason"] = r.Reason,
            ["rejected_at"] = Time(r.RejectedAt),
        }).ToList();

    private static Dictionary<string, object?> StatusFields(RegistryStatus status) => new()
    {
        ["mode"] = status.Mode,
        ["url"] = status.Url,
        ["fingerprint"] = status.Fingerprint,
        ["architecture"] = status.Architecture,
        ["client_fingerprint"] = status.ClientFingerprint,
        ["update_interval"] = status.UpdateInterval,
        ["running"] = status.Running,
        ["next_pass"] = status.NextPassAt is { } next ? Time(next) : "none",
        ["generation"] = status.Generation,
        ["last_pass"] = status.LastPass is null ? "none" : Report(status.LastPass),
        ["transfers"] = status.Transfers.Select(t => new Dictionary<string, object>
        {
            ["application"] = t.Application,
            ["version"] = t.Version,
            ["direction"] = t.Direction,
            ["progress"] = string.Create(CultureInfo.InvariantCulture, $"{t.Bytes / 1048576.0:F1} of {t.Total / 1048576.0:F1} MiB"),
            ["rate"] = string.Create(CultureInfo.InvariantCulture, $"{t.BytesPerSecond / 1048576.0:F1} MiB/s"),
            ["eta"] = t.StalledSeconds is { } stalled
                ? string.Create(CultureInfo.InvariantCulture, $"stalled for {stalled:0} s (the registry stopped sending), will resume")
                : t.EtaSeconds is { } eta ? DurationText.Format(TimeSpan.FromSeconds(Math.Ceiling(eta))) : "unknown",
        }).ToList(),
    };

    public static Dictionary<string, object?> Report(SyncPassReport report) => new()
    {
        ["result"] = report.Result,
        ["mode"] = report.Mode,
        ["started"] = Time(report.StartedAt),
        ["finished"] = Time(report.FinishedAt),
        ["uploaded"] = report.Uploaded,
        ["downloaded"] = report.Downloaded,
        ["deleted"] = report.Deleted,
        ["unchanged"] = report.Unchanged,
        ["errors"] = report.Errors.ToList(),
        ["conflicts"] = report.Conflicts.ToList(),
    };

    /// <summary>Prints a pass report; a failed pass exits 5 so scripts notice (its errors are in the report).</summary>
    public static int Report(CliConsole console, OutputFormat format, SyncPassReport report)
    {
        if (format == OutputFormat.Json)
        {
            DataWriter.WriteJson(console, report, ManagementJsonContext.Default.SyncPassReport);
        }
        else
        {
            DataWriter.WriteYaml(console, Report(report));
        }

        return report.Result is "failed" or "partial" ? ExitCodes.Conflict : ExitCodes.Ok;
    }

    public static void List(CliConsole console, OutputFormat format, IReadOnlyList<RegistryApplication> applications)
    {
        string[] headers = ["NAME", "ARCHITECTURE", "VERSIONS", "TAGS", "OWNER", "LOCAL"];
        IReadOnlyList<string> Row(RegistryApplication a, bool full) =>
            [a.Name, a.Architecture, string.Join(',', a.Versions), string.Join(',', a.Tags), a.OwnedByThisAms ? "this AMS" : (full ? a.Owner : a.Owner[..12]), a.Local];
        switch (format)
        {
            case OutputFormat.Json:
                DataWriter.WriteJson(console, applications.ToList(), ManagementJsonContext.Default.ListRegistryApplication);
                break;
            case OutputFormat.Yaml:
                DataWriter.WriteYaml(console, applications.Select(a => headers.Select(h => h.ToLowerInvariant()).Zip(Row(a, true)).ToDictionary(p => p.First, p => p.Second)).ToList());
                break;
            case OutputFormat.Csv:
                DataWriter.WriteCsv(console, headers, applications.Select(a => Row(a, true)));
                break;
            default:
                DataWriter.WriteTable(console, headers, applications.Select(a => Row(a, false)));
                break;
        }
    }

    private static string Time(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);
}
