using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using YamlDotNet.Serialization;

namespace Aar.Cli.Common;

/// <summary>
/// The one serializer model of machine output: a value is serialized once with System.Text.Json (the wire
/// contracts' snake_case context, times as RFC 3339 UTC) and that JSON tree is printed as JSON or converted to YAML.
/// </summary>
public static class MachineOutput
{
    // Strings that YAML would read back as another type ("false", "1.0", an all-digit fingerprint) are quoted, so
    // scripts get back exactly the text we wrote.
    private static readonly ISerializer YamlSerializer = new SerializerBuilder().DisableAliases().WithQuotingNecessaryStrings().Build();

    // The default encoder escapes every non-ASCII character (é as \u00E9): more to read, but a bidirectional override
    // or a zero-width character in a name cannot reach the terminal as itself (the relaxed encoders let those through).
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    // One output variant per serializer context: the context's naming and null rules, plus the timestamp rule.
    private static readonly ConcurrentDictionary<JsonSerializerOptions, JsonSerializerOptions> OutputOptions = new();

    public static JsonNode? ToNode<T>(T value, JsonTypeInfo<T> typeInfo)
    {
        ArgumentNullException.ThrowIfNull(typeInfo);
        var options = OutputOptions.GetOrAdd(typeInfo.Options, static context =>
        {
            var copy = new JsonSerializerOptions(context) { WriteIndented = true };
            copy.Converters.Add(new TimestampConverter());
            copy.MakeReadOnly();
            return copy;
        });
        return JsonSerializer.SerializeToNode(value, (JsonTypeInfo<T>)options.GetTypeInfo(typeof(T)));
    }

    /// <summary>JSON is always indented (two spaces), on a terminal and in a pipe alike: one rule, easy to diff.</summary>
    public static string Json(JsonNode? node) => node?.ToJsonString(Indented) ?? "null";

    public static string Yaml(JsonNode? node) => YamlSerializer.Serialize(Plain(node));

    /// <summary>A JSON tree as plain dictionaries, lists and scalars, in the same order, for the YAML serializer.</summary>
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
        _ => throw new InvalidOperationException($"Unexpected JSON node {node.GetType().Name}."),
    };

    private static object Number(string text) =>
        long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var integer) ? integer
        : decimal.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var exact) ? exact
        : double.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture);

    /// <summary>Every time in machine output: RFC 3339, UTC, to the second (<c>2026-12-01T06:30:00Z</c>).</summary>
    private sealed class TimestampConverter : JsonConverter<DateTimeOffset>
    {
        public override DateTimeOffset Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
            DateTimeOffset.Parse(reader.GetString()!, CultureInfo.InvariantCulture);

        public override void Write(Utf8JsonWriter writer, DateTimeOffset value, JsonSerializerOptions options)
        {
            ArgumentNullException.ThrowIfNull(writer);
            writer.WriteStringValue(CellText.Time(value));
        }
    }
}
