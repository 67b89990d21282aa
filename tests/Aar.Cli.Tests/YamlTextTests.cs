using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Aar.Cli.Common;
using CsCheck;
using TestSupport;
using YamlDotNet.Serialization;

namespace Aar.Cli.Tests;

/// <summary>
/// The CLIs print YAML through the emitter (<see cref="YamlText"/>) because they are compiled ahead of time; the
/// reflection serializer they used before is the oracle: for any JSON tree, both must print the same text.
/// </summary>
public sealed class YamlTextTests
{
    private static readonly ISerializer Oracle = new SerializerBuilder().DisableAliases().WithQuotingNecessaryStrings().Build();

    // Strings that exercise quoting: YAML keywords and numbers, blanks, indicators, newlines, non-ASCII, controls.
    private static readonly string[] Tricky =
    [
        "", " ", " lead", "trail ", "true", "False", "NULL", "~", "null", "yes", "no", "on", "1", "-2", "+3", "1.0", ".5", "1e3",
        "0x1F", "0o17", ".inf", "-.Inf", ".nan", "12345678901234567890", "a: b", "- item", "#comment", "key:", "[x]", "{y}",
        "*ref", "&anchor", "!tag", "%dir", "@at", "`tick", "'single'", "\"double\"", "line\nbreak", "tab\there", "é",
        "\u202Ereversed", "zero\u200Bwidth", "\u0007bell", "sha256:0123abcd", "2026-12-01T06:30:00Z", "amd64", "a,b", "?q",
    ];

    private static readonly Gen<string> Strings = Gen.OneOf(Gen.OneOf(Tricky.Select(Gen.Const).ToArray()), Gen.String[0, 12], Gen.String.AlphaNumeric);

    private static readonly Gen<JsonNode?> Scalars = Gen.OneOf(
        Strings.Select(s => (JsonNode?)JsonValue.Create(s)),
        Gen.Long.Select(n => (JsonNode?)JsonValue.Create(n)),
        Gen.Int[-1000, 1000].Select(n => (JsonNode?)JsonValue.Create(n / 8m)),
        Gen.Bool.Select(b => (JsonNode?)JsonValue.Create(b)),
        Gen.Const((JsonNode?)null));

    private static readonly Gen<JsonNode?> Trees = Gen.Recursive<JsonNode?>((depth, tree) => depth >= 3
        ? Scalars
        : Gen.Frequency(
            (3, Scalars),
            (1, tree.List[0, 4].Select(items => (JsonNode?)new JsonArray([.. items]))),
            (1, Gen.Select(Strings, tree).List[0, 4].Select(Object))));

    [Fact]
    public void Any_json_tree_prints_as_the_reflection_serializer_printed_it()
    {
        PropertyCheck.ForAll(Trees, 3000, tree =>
            Assert.Equal(Oracle.Serialize(Plain(tree)), YamlText.Write(tree)),
            tree => tree?.ToJsonString() ?? "null");
    }

    [Fact]
    public void Strings_that_read_back_as_another_type_are_quoted()
    {
        var yaml = YamlText.Write(new JsonObject { ["a"] = "true", ["b"] = "1.0", ["c"] = "", ["d"] = "amd64", ["e"] = true, ["f"] = 7 });
        Assert.Equal("a: \"true\"\nb: \"1.0\"\nc: \"\"\nd: amd64\ne: true\nf: 7\n", yaml);
    }

    private static JsonNode Object(List<(string Key, JsonNode? Value)> pairs)
    {
        var map = new JsonObject();
        foreach (var (key, value) in pairs)
        {
            map[key] = value?.DeepClone();
        }

        return map;
    }

    /// <summary>The conversion the CLIs made before: plain dictionaries, lists and scalars for the serializer.</summary>
    private static object? Plain(JsonNode? node) => node switch
    {
        null => null,
        JsonObject map => map.ToDictionary(p => p.Key, p => Plain(p.Value)),
        JsonArray list => list.Select(Plain).ToList(),
        JsonValue scalar => scalar.GetValueKind() switch
        {
            JsonValueKind.String => scalar.GetValue<string>(),
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            JsonValueKind.Number => Number(scalar.ToJsonString()),
            _ => null,
        },
        _ => throw new InvalidOperationException(node.GetType().Name),
    };

    private static object Number(string text) =>
        long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var integer) ? integer
        : decimal.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var exact) ? exact
        : double.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture);
}
