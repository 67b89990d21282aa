using System.Text;
using Aar.Protocol.Management;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Ams.Daemon.Packages;

/// <summary>
/// Parses and validates manifest.yaml against the original product's schema (anbox-reference §1). Unknown keys are
/// refused with the key named, so a typo never silently drops a setting.
/// </summary>
internal static class ManifestParser
{
    public static readonly string[] TopLevelKeys =
    [
        "name", "version", "instance-type", "required-permissions", "image", "addons", "tags", "boot-package",
        "boot-activity", "video-encoder", "watchdog", "services", "resources", "extra-data", "hooks", "bootstrap",
        "features", "node-selector",
    ];

    /// <summary>Largest manifest.yaml, in bytes: it is read into memory whole.</summary>
    public const int MaxBytes = 1024 * 1024;

    /// <summary>Deepest nesting of mappings and lists; the schema needs 3 (extra-data → name → target).</summary>
    public const int MaxDepth = 16;

    /// <summary>Most YAML nodes (keys, values, lists, mappings); bounds the tree a 1 MiB manifest of '[a,a,…]' would build.</summary>
    public const int MaxNodes = 50_000;

    public static ManifestInfo Parse(byte[] bytes, bool hasApk)
    {
        var root = Load(bytes);
        ManifestInfo manifest = new() { Name = "", HasApk = hasApk };
        var sawName = false;
        foreach (var (key, value, _) in YamlNodes.Entries(root, "", TopLevelKeys))
        {
            manifest = key switch
            {
                "name" => manifest with { Name = ManifestRules.Name(value) },
                "version" => manifest with { Version = YamlNodes.Text(value, key, ManifestRules.MaxVersionLength) },
                "instance-type" => manifest with { InstanceType = ManifestRules.InstanceType(value) },
                "required-permissions" => manifest with { RequiredPermissions = YamlNodes.TextList(value, key) },
                "image" => manifest with { Image = YamlNodes.Text(value, key) },
                "addons" => manifest with { Addons = YamlNodes.TextList(value, key) },
                "tags" => manifest with { Tags = YamlNodes.TextList(value, key) },
                "boot-package" => manifest with { BootPackage = ManifestRules.AndroidPackage(value, key) },
                "boot-activity" => manifest with { BootActivity = YamlNodes.Text(value, key) },
                "video-encoder" => manifest with { VideoEncoder = ManifestRules.VideoEncoder(value) },
                "watchdog" => manifest with { Watchdog = ManifestRules.Watchdog(value) },
                "services" => manifest with { Services = ManifestRules.Services(value) },
                "resources" => manifest with { Resources = ManifestRules.Resources(value) },
                "extra-data" => manifest with { ExtraData = ManifestRules.ExtraData(value) },
                "hooks" => manifest with { HooksTimeout = ManifestRules.HooksTimeout(value) },
                "bootstrap" => manifest with { BootstrapKeep = ManifestRules.BootstrapKeep(value) },
                "features" => manifest with { Features = YamlNodes.TextList(value, key) },
                _ => manifest with { NodeSelector = YamlNodes.TextList(value, key) },
            };
            sawName |= key == "name";
        }

        if (!sawName)
        {
            throw new PackageException("manifest.yaml has no 'name': add a line such as 'name: my-app' (letters, digits, _ . -).");
        }

        return manifest;
    }

    private static YamlNode Load(byte[] bytes)
    {
        if (bytes.Length > MaxBytes)
        {
            throw new PackageException($"manifest.yaml is {bytes.Length} bytes; a manifest must be at most {MaxBytes} bytes.");
        }

        string text;
        try
        {
            text = new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(bytes);
        }
        catch (DecoderFallbackException)
        {
            throw new PackageException("manifest.yaml is not UTF-8 text; save it as UTF-8.");
        }

        if (string.IsNullOrWhiteSpace(text))
        {
            throw new PackageException("manifest.yaml is empty: it needs at least a 'name' key, e.g. 'name: my-app'.");
        }

        // YamlDotNet reports a tab in indentation at line 1; find the line ourselves, it is the commonest slip.
        var lines = text.Split('\n');
        var tabbed = Array.FindIndex(lines, l => l.TrimStart(' ').StartsWith('\t'));
        if (tabbed >= 0)
        {
            throw new PackageException($"manifest.yaml line {tabbed + 1}: indented with a tab; YAML indents with spaces only.");
        }

        var stream = new YamlStream();
        var parser = new BoundedYamlParser(new Parser(new StringReader(text)), MaxDepth, MaxNodes);
        try
        {
            stream.Load(parser);
        }
        catch (YamlException ex)
        {
            // Scanner errors carry the start of the construct they were reading; End is where the problem was found.
            var at = ex.End.Line > ex.Start.Line ? ex.End : ex.Start;
            throw new PackageException($"manifest.yaml line {at.Line}, column {at.Column}: invalid YAML ({(ex.InnerException ?? ex).Message.TrimEnd('.')}).");
        }
        catch (Exception ex) when (ex is InvalidOperationException or ArgumentException)
        {
            // YamlDotNet's scanner throws this (not a YamlException) on some unterminated flow collections, and
            // its node builder an ArgumentException on some misplaced keys ("  :  name:   >", found by fuzzing).
            var line = parser.Current?.End.Line ?? 1;
            throw new PackageException($"manifest.yaml line {line}: invalid YAML after this line (an unclosed '[', '{{' or quote?).");
        }

        if (stream.Documents.Count != 1)
        {
            throw new PackageException($"manifest.yaml holds {stream.Documents.Count} YAML documents; it must hold exactly one mapping of keys.");
        }

        var root = stream.Documents[0].RootNode;
        if (root is not YamlMappingNode)
        {
            throw new PackageException($"manifest.yaml line {root.Start.Line}: the manifest must be a mapping of keys (such as 'name: my-app'), not a single value or a list.");
        }

        return root;
    }
}
