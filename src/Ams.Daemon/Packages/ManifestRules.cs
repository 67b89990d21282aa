using System.Text.RegularExpressions;
using Aar.Protocol.Management;
using Aar.Protocol.Registry;
using Aar.Protocol.Text;
using YamlDotNet.RepresentationModel;

namespace Ams.Daemon.Packages;

/// <summary>
/// The value rules of manifest.yaml (anbox-reference §1: SDK regexes and documented limits). Patterns end in
/// <c>\z</c>, not <c>$</c>, which also matches before a final newline ("a2.3\n" would pass).
/// </summary>
internal static partial class ManifestRules
{
    public const int MaxNameLength = ApplicationName.MaxLength;
    public const int MaxVersionLength = 50;

    private static readonly string[] ExtraDataTargets = ["/sdcard/Android/obb/", "/sdcard/Android/data/", "/data/app/", "/data/data/"];
    private static readonly string[] ResourceKeys = ["cpus", "memory", "disk-size", "gpu-slots", "vpu-slots"];
    private static readonly string[] ServiceKeys = ["name", "port", "port-end", "protocols", "expose"];
    private static readonly TimeSpan MaxHookTimeout = TimeSpan.FromMinutes(15);

    [GeneratedRegex(@"^([A-Za-z][A-Za-z\d_]*\.)+[A-Za-z][A-Za-z\d_]*\z", RegexOptions.CultureInvariant)]
    private static partial Regex AndroidPackagePattern();

    [GeneratedRegex(@"^[ag](2|4|6|8|10)\.3\z", RegexOptions.CultureInvariant)]
    private static partial Regex InstanceTypePattern();

    [GeneratedRegex(@"^(?<n>\d{1,9})(?<u>[KMGT]B?)?\z", RegexOptions.CultureInvariant | RegexOptions.IgnoreCase)]
    private static partial Regex SizePattern();

    [GeneratedRegex(@"^0?[0-7]{3}\z", RegexOptions.CultureInvariant)]
    private static partial Regex PermissionsPattern();

    public static string Name(YamlNode node)
    {
        var name = YamlNodes.Text(node, "name", MaxNameLength);
        if (!ApplicationName.IsValid(name))
        {
            throw YamlNodes.Error(node, "name", $"is '{YamlNodes.Printable(name)}'; use only letters, digits, '_', '.' and '-' (at most {MaxNameLength}), and not '.' or '..'");
        }

        return name;
    }

    public static string InstanceType(YamlNode node)
    {
        var value = YamlNodes.Text(node, "instance-type");
        return InstanceTypePattern().IsMatch(value) ? value : throw YamlNodes.Error(node, "instance-type", $"is '{value}'; use one of a2.3, a4.3, a6.3, a8.3, a10.3, g2.3, g4.3, g6.3, g8.3, g10.3");
    }

    public static string AndroidPackage(YamlNode node, string key)
    {
        var value = YamlNodes.Text(node, key);
        return AndroidPackagePattern().IsMatch(value) ? value : throw YamlNodes.Error(node, key, $"is '{value}', not an Android package name such as com.example.app");
    }

    public static string VideoEncoder(YamlNode node)
    {
        var value = YamlNodes.Text(node, "video-encoder");
        return value is "gpu" or "gpu-preferred" or "software" or "vpu" ? value : throw YamlNodes.Error(node, "video-encoder", $"is '{value}'; use gpu, gpu-preferred, software or vpu");
    }

    public static ManifestWatchdog Watchdog(YamlNode node)
    {
        var watchdog = new ManifestWatchdog();
        foreach (var (key, value, _) in YamlNodes.Entries(node, "watchdog", ["disabled", "allowed-packages"]))
        {
            watchdog = key == "disabled"
                ? watchdog with { Disabled = YamlNodes.Boolean(value, "watchdog.disabled") }
                : watchdog with { AllowedPackages = AllowedPackages(value) };
        }

        return watchdog;
    }

    private static List<string> AllowedPackages(YamlNode node)
    {
        var packages = YamlNodes.TextList(node, "watchdog.allowed-packages");
        if (packages.Contains("*") && packages.Count > 1)
        {
            throw YamlNodes.Error(node, "watchdog.allowed-packages", "mixes '*' with package names; use either [\"*\"] alone or a list of packages");
        }

        var bad = packages.FirstOrDefault(p => p != "*" && !AndroidPackagePattern().IsMatch(p));
        return bad is null ? packages : throw YamlNodes.Error(node, "watchdog.allowed-packages", $"holds '{bad}', not an Android package name");
    }

    public static List<ManifestService> Services(YamlNode node)
    {
        if (node is not YamlSequenceNode sequence)
        {
            throw YamlNodes.Error(node, "services", "must be a list of services (name, port, protocols)");
        }

        return sequence.Children.Select(Service).ToList();
    }

    private static ManifestService Service(YamlNode node)
    {
        string? name = null;
        int? port = null, portEnd = null;
        List<string> protocols = [];
        var expose = false;
        foreach (var (key, value, _) in YamlNodes.Entries(node, "services", ServiceKeys))
        {
            switch (key)
            {
                case "name": name = YamlNodes.Text(value, "services.name", 64); break;
                case "port": port = YamlNodes.Integer(value, "services.port", 1, 65535); break;
                case "port-end": portEnd = YamlNodes.Integer(value, "services.port-end", 1, 65535); break;
                case "protocols": protocols = YamlNodes.TextList(value, "services.protocols"); break;
                default: expose = YamlNodes.Boolean(value, "services.expose"); break;
            }
        }

        if (name is null || port is null)
        {
            throw YamlNodes.Error(node, "services", "entry needs both 'name' and 'port'");
        }

        var badProtocol = protocols.FirstOrDefault(p => p is not ("tcp" or "udp"));
        if (badProtocol is not null)
        {
            throw YamlNodes.Error(node, "services.protocols", $"holds '{badProtocol}'; use tcp or udp");
        }

        return portEnd < port
            ? throw YamlNodes.Error(node, "services.port-end", $"is {portEnd}, below port {port}")
            : new ManifestService { Name = name, Port = port.Value, PortEnd = portEnd, Protocols = protocols, Expose = expose };
    }

    public static Dictionary<string, string> Resources(YamlNode node)
    {
        var resources = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (key, value, _) in YamlNodes.Entries(node, "resources", ResourceKeys))
        {
            resources[key] = key switch
            {
                "cpus" => YamlNodes.Integer(value, "resources.cpus", 1, 1024).ToString(System.Globalization.CultureInfo.InvariantCulture),
                "gpu-slots" or "vpu-slots" => YamlNodes.Integer(value, $"resources.{key}", 0, 1024).ToString(System.Globalization.CultureInfo.InvariantCulture),
                _ => Size(value, $"resources.{key}"),
            };
        }

        return resources;
    }

    private static string Size(YamlNode node, string key)
    {
        var value = YamlNodes.Text(node, key);
        var match = SizePattern().Match(value);
        if (!match.Success)
        {
            throw YamlNodes.Error(node, key, $"is '{value}'; use a size such as 3GB or 4096MB");
        }

        var unit = match.Groups["u"].Value.ToUpperInvariant().TrimEnd('B');
        var bytes = long.Parse(match.Groups["n"].Value, System.Globalization.CultureInfo.InvariantCulture) << unit switch { "K" => 10, "M" => 20, "G" => 30, "T" => 40, _ => 0 };
        return bytes >= 3L << 30 ? value : throw YamlNodes.Error(node, key, $"is '{value}'; the minimum is 3GB");
    }

    public static Dictionary<string, ManifestExtraData> ExtraData(YamlNode node)
    {
        var result = new Dictionary<string, ManifestExtraData>(StringComparer.Ordinal);
        foreach (var (name, value, keyNode) in YamlNodes.Entries(node, "extra-data", []))
        {
            if (name.Length == 0 || name.Contains('/', StringComparison.Ordinal) || name is "." or "..")
            {
                throw YamlNodes.Error(keyNode, "extra-data", $"names '{name}'; use the plain name of a file or directory inside extra-data/");
            }

            var entry = new ManifestExtraData { Target = "" };
            foreach (var (key, field, _) in YamlNodes.Entries(value, $"extra-data.{name}", ["target", "owner", "permissions"]))
            {
                var text = YamlNodes.Text(field, $"extra-data.{name}.{key}");
                entry = key switch
                {
                    "target" => entry with { Target = text },
                    "owner" => entry with { Owner = text },
                    _ => PermissionsPattern().IsMatch(text) ? entry with { Permissions = text } : throw YamlNodes.Error(field, $"extra-data.{name}.permissions", $"is '{text}'; use octal such as 0644"),
                };
            }

            if (!ExtraDataTargets.Any(t => entry.Target.StartsWith(t, StringComparison.Ordinal)) || entry.Target.Contains("/..", StringComparison.Ordinal))
            {
                throw YamlNodes.Error(value, $"extra-data.{name}.target", $"is '{entry.Target}'; it must be under {string.Join(", ", ExtraDataTargets)}");
            }

            result[name] = entry;
        }

        return result;
    }

    public static string HooksTimeout(YamlNode node)
    {
        string? timeout = null;
        foreach (var (_, value, _) in YamlNodes.Entries(node, "hooks", ["timeout"]))
        {
            timeout = YamlNodes.Text(value, "hooks.timeout");
            // DurationText forgives surrounding blanks (it reads command lines); a manifest value is stored as written.
            if (timeout.Trim().Length != timeout.Length || !DurationText.TryParse(timeout, out var duration) || duration > MaxHookTimeout)
            {
                throw YamlNodes.Error(value, "hooks.timeout", $"is '{timeout}'; use a duration such as 5m, at most 15m");
            }
        }

        return timeout ?? "";
    }

    public static List<string> BootstrapKeep(YamlNode node)
    {
        List<string> keep = [];
        foreach (var (_, value, _) in YamlNodes.Entries(node, "bootstrap", ["keep"]))
        {
            keep = YamlNodes.TextList(value, "bootstrap.keep");
        }

        return keep;
    }
}
