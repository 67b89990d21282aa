using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;

namespace Aar.Cli.Common;

/// <summary>
/// The one serializer model of machine output: a value is serialized once with System.Text.Json (the wire
/// contracts' snake_case context, times as RFC 3339 UTC) and that JSON tree is printed as JSON or converted to YAML.
/// </summary>
public static class MachineOutput
{
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

    /// <summary>The same tree as YAML (block style; strings YAML would read as another type are quoted).</summary>
    public static string Yaml(JsonNode? node) => YamlText.Write(node);

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
