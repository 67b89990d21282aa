using System.Globalization;
using YamlDotNet.RepresentationModel;

namespace Ams.Daemon.Packages;

/// <summary>Typed reads from YAML nodes; every refusal says "manifest.yaml line N: key ...".</summary>
internal static class YamlNodes
{
    public static PackageException Error(YamlNode node, string key, string problem) =>
        new($"manifest.yaml line {node.Start.Line}: '{key}' {problem}.");

    public static IEnumerable<(string Key, YamlNode Value, YamlNode KeyNode)> Entries(YamlNode node, string key, IReadOnlyCollection<string> known)
    {
        if (node is not YamlMappingNode mapping)
        {
            throw Error(node, key, "must be a mapping of keys to values");
        }

        foreach (var (keyNode, value) in mapping.Children)
        {
            var name = keyNode is YamlScalarNode { Value: { } text } ? text : throw Error(keyNode, key, "has a key that is not text");
            if (known.Count > 0 && !known.Contains(name))
            {
                var where = key.Length == 0 ? "" : $" in '{key}'";
                throw new PackageException($"manifest.yaml line {keyNode.Start.Line}: unknown key '{name}'{where}; allowed keys are {string.Join(", ", known)}.");
            }

            yield return (name, value, keyNode);
        }
    }

    public static string Text(YamlNode node, string key, int maxLength = 256)
    {
        if (node is not YamlScalarNode { Value: { } value })
        {
            throw Error(node, key, "must be a single text value");
        }

        if (value.Length > maxLength)
        {
            throw Error(node, key, $"is {value.Length} characters long; at most {maxLength} are allowed");
        }

        return value;
    }

    public static List<string> TextList(YamlNode node, string key)
    {
        if (node is YamlScalarNode { Value: null or "" })
        {
            return [];
        }

        if (node is not YamlSequenceNode sequence)
        {
            throw Error(node, key, "must be a list of text values");
        }

        return sequence.Children.Select(child => Text(child, key)).ToList();
    }

    /// <summary>Shows control characters as escapes, so a refusal that quotes a value stays one readable line.</summary>
    public static string Printable(string text) =>
        string.Concat(text.Select(c => char.IsControl(c) ? $"\\u{(int)c:x4}" : c.ToString()));

    public static bool Boolean(YamlNode node, string key) => Text(node, key).ToLowerInvariant() switch
    {
        "true" or "yes" => true,
        "false" or "no" => false,
        var other => throw Error(node, key, $"is '{other}'; use true or false"),
    };

    public static int Integer(YamlNode node, string key, int minimum, int maximum)
    {
        var text = Text(node, key);
        if (!int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) || value < minimum || value > maximum)
        {
            throw Error(node, key, $"is '{text}'; use a whole number from {minimum} to {maximum}");
        }

        return value;
    }
}
