using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace Aar.Cli.Common;

/// <summary>
/// A JSON tree as YAML, written event by event through YamlDotNet's emitter. The reflection-based serializer would
/// print the same text, but it cannot be compiled ahead of time (the CLIs are Native AOT, docs/benchmarks.md) and its
/// set-up alone cost tens of milliseconds per command.
/// </summary>
public static partial class YamlText
{
    // What a YAML 1.2 reader would take for null, a boolean or a number, or what starts with a blank: such strings
    // are double-quoted so that scripts read back exactly the text we wrote (the serializer's "quote necessary
    // strings" rule, same pattern).
    [GeneratedRegex("""^(null|Null|NULL|\~|true|True|TRUE|false|False|FALSE|[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+|[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?|[-+]?(\.inf|\.Inf|\.INF)|\.nan|\.NaN|\.NAN|\s.*)$""", RegexOptions.CultureInvariant)]
    private static partial Regex SpecialString();

    private static readonly TagName StringTag = new("tag:yaml.org,2002:str");
    private static readonly TagName BoolTag = new("tag:yaml.org,2002:bool");
    private static readonly TagName IntTag = new("tag:yaml.org,2002:int");
    private static readonly TagName FloatTag = new("tag:yaml.org,2002:float");
    private static readonly TagName NullTag = new("tag:yaml.org,2002:null");

    public static string Write(JsonNode? node)
    {
        using var writer = new StringWriter(CultureInfo.InvariantCulture);
        var emitter = new Emitter(writer, EmitterSettings.Default);
        emitter.Emit(new StreamStart());
        emitter.Emit(new DocumentStart());
        Emit(emitter, node);
        emitter.Emit(new DocumentEnd(isImplicit: true));
        emitter.Emit(new StreamEnd());
        return writer.ToString();
    }

    private static void Emit(Emitter emitter, JsonNode? node)
    {
        switch (node)
        {
            case JsonObject map:
                emitter.Emit(new MappingStart(AnchorName.Empty, TagName.Empty, isImplicit: true, MappingStyle.Any));
                foreach (var (key, value) in map)
                {
                    emitter.Emit(String(key));
                    Emit(emitter, value);
                }

                emitter.Emit(new MappingEnd());
                break;
            case JsonArray list:
                emitter.Emit(new SequenceStart(AnchorName.Empty, TagName.Empty, isImplicit: true, SequenceStyle.Any));
                foreach (var item in list)
                {
                    Emit(emitter, item);
                }

                emitter.Emit(new SequenceEnd());
                break;
            case JsonValue scalar:
                emitter.Emit(scalar.GetValueKind() switch
                {
                    JsonValueKind.String => String(scalar.GetValue<string>()),
                    JsonValueKind.True => Scalar(BoolTag, "true"),
                    JsonValueKind.False => Scalar(BoolTag, "false"),
                    JsonValueKind.Number => Number(scalar.ToJsonString()),
                    _ => Scalar(NullTag, ""),
                });
                break;
            case null:
                emitter.Emit(Scalar(NullTag, ""));
                break;
            default:
                throw new InvalidOperationException($"Unexpected JSON node {node.GetType().Name}.");
        }
    }

    private static Scalar String(string value) =>
        Scalar(StringTag, value, value.Trim().Length == 0 || SpecialString().IsMatch(value) ? ScalarStyle.DoubleQuoted : ScalarStyle.Any);

    // The tags and flags the serializer put on each scalar: the emitter chooses quoting and tag printing from them.
    private static Scalar Scalar(TagName tag, string value, ScalarStyle style = ScalarStyle.Plain) =>
        new(AnchorName.Empty, tag, value, style, isPlainImplicit: true, isQuotedImplicit: false);

    /// <summary>A JSON number as the serializer printed it: integers as they are, others through decimal (or double past its range).</summary>
    private static Scalar Number(string text) =>
        long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var integer) ? Scalar(IntTag, integer.ToString(CultureInfo.InvariantCulture))
        : decimal.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var exact) ? Scalar(FloatTag, exact.ToString(CultureInfo.InvariantCulture))
        : Scalar(FloatTag, double.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture).ToString("G", CultureInfo.InvariantCulture));
}
