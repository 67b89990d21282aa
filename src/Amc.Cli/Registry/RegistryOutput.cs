using Aar.Cli.Common;
using Aar.Protocol.Management;

namespace Amc.Cli.Registry;

/// <summary>
/// How <c>amc registry …</c> prints: json and yaml are the AMS API's objects (snake_case keys, exact numbers);
/// <c>list</c> also prints a table or csv in which <c>VERSIONS</c> is how many versions the registry holds and
/// <c>LATEST</c> the highest, as in <c>aar application list</c>.
/// </summary>
internal static class RegistryOutput
{
    /// <summary>Prints a pass report; a failed pass exits 5 so scripts notice (its errors are in the report).</summary>
    public static int Report(CliConsole console, OutputFormat format, SyncPassReport report)
    {
        DataWriter.Write(console, format, report, ManagementJsonContext.Default.SyncPassReport);
        return report.Result is "failed" or "partial" ? ExitCodes.Conflict : ExitCodes.Ok;
    }

    public static void List(CliConsole console, OutputFormat format, IReadOnlyList<RegistryApplication> applications)
    {
        if (format is OutputFormat.Json or OutputFormat.Yaml)
        {
            DataWriter.Write(console, format, applications.ToList(), ManagementJsonContext.Default.ListRegistryApplication);
            return;
        }

        string[] headers = ["NAME", "ARCHITECTURE", "VERSIONS", "LATEST", "TAGS", "OWNER", "LOCAL"];
        var rows = applications.Select(a => (IReadOnlyList<string>)
        [
            a.Name,
            a.Architecture,
            CellText.Number(a.Versions.Count),
            a.Versions.Count == 0 ? "-" : CellText.Number(a.Versions.Max()),
            CellText.List(a.Tags),
            a.OwnedByThisAms && format == OutputFormat.Table ? "this AMS" : CellText.Fingerprint(a.Owner, format),
            a.Local,
        ]);
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
