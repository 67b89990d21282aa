using Aar.Cli.Common;
using Aar.Protocol.Management;

namespace Amc.Cli.Applications;

/// <summary>How <c>amc application list</c> prints a row in tables and csv; json and yaml print the API's objects.</summary>
internal static class ApplicationOutput
{
    public static readonly string[] ListHeaders = ["ID", "NAME", "INSTANCE TYPE", "ADDONS", "TAGS", "PUBLISHED", "STATUS", "LAST UPDATED"];

    public static IReadOnlyList<string> Row(ApplicationInfo a) =>
    [
        a.Id, a.Name, a.InstanceType, CellText.List(a.Addons), CellText.List(a.Tags), CellText.Flag(a.Published), a.Status, CellText.Time(a.UpdatedAt),
    ];
}
