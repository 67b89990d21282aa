using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Xunit;
using YamlDotNet.Serialization;

namespace TestSupport;

/// <summary>
/// Checks of the CLI output grammar (docs/cli.md) shared by the <c>aar</c> and <c>amc</c> tests: that an output really
/// is the format it was asked for, that JSON and YAML carry one tree, and golden files of both.
/// </summary>
public static partial class CliGrammar
{
    private static readonly IDeserializer Yaml = new DeserializerBuilder().Build();

    /// <summary>Fails unless <paramref name="output"/> is a well-formed <paramref name="format"/> output.</summary>
    public static void AssertIs(string format, string output, string what)
    {
        Assert.True(output.EndsWith('\n'), $"{what}: output does not end with a newline:\n{output}");
        switch (format)
        {
            case "json":
                using (var document = JsonDocument.Parse(output))
                {
                    Assert.True(document.RootElement.ValueKind is JsonValueKind.Object or JsonValueKind.Array, $"{what}: JSON is not an object or an array");
                }

                Assert.True(output.Length < 3 || output.Contains("\n  ", StringComparison.Ordinal), $"{what}: JSON is not indented:\n{output}");
                break;
            case "yaml":
                Assert.NotNull(Yaml.Deserialize<object?>(output));
                Assert.False(output.TrimStart().StartsWith('{') || output.TrimStart().StartsWith('['), $"{what}: YAML in flow style:\n{output}");
                break;
            case "csv":
                Assert.Matches(CsvHeader(), output.Split('\n')[0]);
                break;
            case "table":
                Assert.StartsWith("+-", output, StringComparison.Ordinal);
                Assert.Matches(TableHeader(), output.Split('\n')[1]);
                break;
            default:
                Assert.Fail($"{what}: unknown format '{format}'");
                break;
        }
    }

    /// <summary>
    /// JSON and YAML of the same data are one tree: the same keys in the same order, the same nesting and the same
    /// values (YAML scalars read back as text, JSON scalars as their text).
    /// </summary>
    public static void AssertSameTree(string json, string yaml, string what)
    {
        var fromJson = Render(FromJson(JsonNode.Parse(json)));
        var fromYaml = Render(Yaml.Deserialize<object?>(yaml));
        Assert.True(fromJson == fromYaml, $"{what}: JSON and YAML differ\njson: {fromJson}\nyaml: {fromYaml}");
    }

    /// <summary>
    /// Compares <paramref name="actual"/>, with volatile values replaced by placeholders, to the file
    /// <c>Golden/&lt;name&gt;</c> (copied next to the test assembly). With <c>UPDATE_GOLDEN=1</c> it writes the file in
    /// the source tree instead, to be reviewed like code.
    /// </summary>
    /// <returns>A difference to report, or null.</returns>
    public static string? CompareGolden(string name, string actual, IEnumerable<string> volatileKeys, [CallerFilePath] string caller = "")
    {
        var normalised = Normalise(actual, volatileKeys);
        if (Environment.GetEnvironmentVariable("UPDATE_GOLDEN") == "1")
        {
            var directory = Path.Combine(Path.GetDirectoryName(caller)!, "Golden");
            Directory.CreateDirectory(directory);
            File.WriteAllText(Path.Combine(directory, name), normalised);
            return null;
        }

        var path = Path.Combine(AppContext.BaseDirectory, "Golden", name);
        if (!File.Exists(path))
        {
            return $"{name}: no golden file (run the test with UPDATE_GOLDEN=1 and review what it writes)\n{normalised}";
        }

        var expected = File.ReadAllText(path);
        return expected == normalised ? null : $"{name} differs from its golden file.\nexpected:\n{expected}\nactual:\n{normalised}";
    }

    /// <summary>
    /// Replaces what changes from run to run: SHA-256 hex (fingerprints, digests, keys), 12-hex ids, RFC 3339 times,
    /// loopback ports, and the values of <paramref name="volatileKeys"/> (in JSON and in YAML alike).
    /// </summary>
    public static string Normalise(string text, IEnumerable<string> volatileKeys)
    {
        ArgumentNullException.ThrowIfNull(volatileKeys);
        // ChildProcess collects output line by line and ends it with an empty line of its own.
        text = text.TrimEnd('\n') + "\n";
        text = Sha256().Replace(text, "<sha256>");
        text = ShortId().Replace(text, "<id>");
        text = Timestamp().Replace(text, "<time>");
        text = LoopbackPort().Replace(text, "127.0.0.1:<port>");
        foreach (var key in volatileKeys)
        {
            text = Regex.Replace(text, $"(\"?\\b{Regex.Escape(key)}\"?: )(\"[^\"\\n]*\"|[^,\\n]*)", $"$1<{key}>");
        }

        return text;
    }

    private static object? FromJson(JsonNode? node) => node switch
    {
        null => null,
        JsonObject map => map.Select(p => new KeyValuePair<object, object?>(p.Key, FromJson(p.Value))).ToList(),
        JsonArray list => list.Select(FromJson).ToList(),
        JsonValue value => value.GetValueKind() == JsonValueKind.String ? value.GetValue<string>() : value.ToJsonString(),
        _ => throw new InvalidOperationException(),
    };

    private static string Render(object? tree)
    {
        var builder = new StringBuilder();
        Render(tree, builder);
        return builder.ToString();
    }

    private static void Render(object? tree, StringBuilder builder)
    {
        switch (tree)
        {
            case null:
                builder.Append('~');
                break;
            case string text:
                builder.Append('"').Append(text).Append('"');
                break;
            case IEnumerable<KeyValuePair<object, object?>> pairs:
                builder.Append('{');
                foreach (var (key, value) in pairs)
                {
                    builder.Append(Convert.ToString(key, CultureInfo.InvariantCulture)).Append(':');
                    Render(value, builder);
                    builder.Append(',');
                }

                builder.Append('}');
                break;
            case System.Collections.IEnumerable items:
                builder.Append('[');
                foreach (var item in items)
                {
                    Render(item, builder);
                    builder.Append(',');
                }

                builder.Append(']');
                break;
            default:
                builder.Append('"').Append(Convert.ToString(tree, CultureInfo.InvariantCulture)).Append('"');
                break;
        }
    }

    [GeneratedRegex("^[A-Z][A-Z_ ]*(,[A-Z][A-Z_ ]*)*$")]
    private static partial Regex CsvHeader();

    [GeneratedRegex(@"^\| [A-Z][A-Z_ ]*( +\| [A-Z][A-Z_ ]*)* +\|$")]
    private static partial Regex TableHeader();

    [GeneratedRegex("[0-9a-f]{64}")]
    private static partial Regex Sha256();

    [GeneratedRegex(@"\b[0-9a-f]{12}\b")]
    private static partial Regex ShortId();

    [GeneratedRegex(@"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ")]
    private static partial Regex Timestamp();

    [GeneratedRegex(@"127\.0\.0\.1:\d+")]
    private static partial Regex LoopbackPort();
}
