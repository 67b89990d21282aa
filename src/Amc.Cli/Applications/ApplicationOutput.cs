using System.Globalization;
using Aar.Protocol.Management;

namespace Amc.Cli.Applications;

/// <summary>How applications look in tables and in YAML (keys as in the original's <c>amc application show</c>).</summary>
internal static class ApplicationOutput
{
    public static readonly string[] ListHeaders = ["ID", "NAME", "INSTANCE TYPE", "ADDONS", "TAGS", "PUBLISHED", "STATUS", "LAST UPDATED"];

    public static IReadOnlyList<string> Row(ApplicationInfo a) =>
    [
        a.Id, a.Name, a.InstanceType, string.Join(',', a.Addons), string.Join(',', a.Tags), Flag(a.Published), a.Status,
        a.UpdatedAt.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture),
    ];

    public static Dictionary<string, object?> Yaml(ApplicationInfo a)
    {
        var result = new Dictionary<string, object?>
        {
            ["id"] = a.Id,
            ["name"] = a.Name,
            ["status"] = a.Status,
            ["published"] = a.Published,
            ["immutable"] = a.Immutable,
            ["architecture"] = a.Architecture,
            ["tags"] = a.Tags,
            ["addons"] = a.Addons,
            ["created-at"] = Time(a.CreatedAt),
            ["updated-at"] = Time(a.UpdatedAt),
        };
        if (a.Origin is not null)
        {
            result["origin"] = new Dictionary<string, string> { ["registry-url"] = a.Origin.RegistryUrl, ["fingerprint"] = a.Origin.Fingerprint };
        }

        result["config"] = new Dictionary<string, string> { ["instance-type"] = a.InstanceType, ["boot-package"] = a.BootPackage };
        result["versions"] = a.Versions.ToDictionary(v => v.Number, Version);
        if (a.Rejected is { Count: > 0 } rejected)
        {
            result["rejected"] = Registry.RegistryOutput.Rejected(rejected);
        }

        return result;
    }

    private static Dictionary<string, object?> Version(ApplicationVersionInfo v)
    {
        var m = v.Manifest;
        var result = new Dictionary<string, object?>
        {
            ["manifest-version"] = m.Version ?? "",
            ["status"] = v.Status,
            ["published"] = v.Published,
        };
        if (v.ErrorMessage is not null)
        {
            result["error-message"] = v.ErrorMessage;
        }

        result["created-at"] = Time(v.CreatedAt);
        result["size"] = v.Size;
        result["sha256"] = v.Sha256;
        result["boot-activity"] = m.BootActivity ?? "";
        result["required-permissions"] = m.RequiredPermissions;
        result["features"] = m.Features;
        result["extra-data"] = m.ExtraData.ToDictionary(e => e.Key, e => new Dictionary<string, string> { ["target"] = e.Value.Target, ["owner"] = e.Value.Owner, ["permissions"] = e.Value.Permissions });
        if (m.Resources.Count > 0)
        {
            result["resources"] = m.Resources;
        }

        if (m.Watchdog is not null)
        {
            result["watchdog"] = new Dictionary<string, object> { ["disabled"] = m.Watchdog.Disabled, ["allowed-packages"] = m.Watchdog.AllowedPackages };
        }

        result["services"] = m.Services.Select(s => new Dictionary<string, object?> { ["name"] = s.Name, ["port"] = s.Port, ["port-end"] = s.PortEnd, ["protocols"] = s.Protocols, ["expose"] = s.Expose }).ToList();
        return result;
    }

    private static string Flag(bool value) => value ? "true" : "false";

    private static string Time(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);
}
