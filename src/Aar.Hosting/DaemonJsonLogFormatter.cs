using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Logging.Console;
using Microsoft.Extensions.Options;

namespace Aar.Hosting;

/// <summary>
/// <c>--log-format json</c>: one JSON object per line (docs/operations.md, "Logs", lists the fields). Microsoft's JSON
/// formatter writes the event as a number only; this one writes its name, and the message's arguments with their types.
/// </summary>
public sealed class DaemonJsonLogFormatter(IOptionsMonitor<DaemonLogFormatterOptions> options) : ConsoleFormatter(Name)
{
    public new const string Name = "daemon-json";

    private const string OriginalFormat = "{OriginalFormat}";

    // Not HTML-escaped (\u003C for '<'): the lines are read by people and log tools, never embedded in a page.
    // Control characters and quotes are still escaped, so a value can neither end the string nor the line.
    private static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public override void Write<TState>(in LogEntry<TState> logEntry, IExternalScopeProvider? scopeProvider, TextWriter textWriter)
    {
        var message = logEntry.Formatter(logEntry.State, logEntry.Exception);
        if (string.IsNullOrEmpty(message) && logEntry.Exception is null)
        {
            return;
        }

        var buffer = new ArrayBufferWriter<byte>(512);
        using (var json = new Utf8JsonWriter(buffer, WriterOptions))
        {
            json.WriteStartObject();
            json.WriteString("timestamp", LogLine.Timestamp());
            json.WriteString("level", LogLine.LevelName(logEntry.LogLevel));
            json.WriteString("category", logEntry.Category);
            json.WriteString("event", LogLine.Event(logEntry.Category, logEntry.EventId));
            json.WriteString("message", message);
            if (logEntry.State is IReadOnlyList<KeyValuePair<string, object?>> state && state.Any(p => p.Key != OriginalFormat))
            {
                json.WriteStartObject("state");
                WriteProperties(json, state);
                json.WriteEndObject();
            }

            if (logEntry.Exception is { } exception)
            {
                json.WriteString("exception", exception.ToString());
            }

            WriteScopes(json, scopeProvider);
            json.WriteEndObject();
        }

        var line = new StringBuilder(buffer.WrittenCount + 8);
        if (options.CurrentValue.SyslogPriority)
        {
            // journald strips the prefix before storing the message, so the journal's MESSAGE is still plain JSON.
            line.Append(LogLine.Priority(logEntry.LogLevel));
        }

        textWriter.Write(line.Append(Encoding.UTF8.GetString(buffer.WrittenSpan)).Append('\n'));
    }

    /// <summary>
    /// ASP.NET Core's request scope (RequestId, RequestPath, TraceId, ConnectionId …) on events logged while a
    /// request runs; nothing else of ours opens scopes.
    /// </summary>
    private void WriteScopes(Utf8JsonWriter json, IExternalScopeProvider? scopeProvider)
    {
        if (!options.CurrentValue.IncludeScopes || scopeProvider is null)
        {
            return;
        }

        var started = false;
        scopeProvider.ForEachScope((scope, writer) =>
        {
            if (!started)
            {
                writer.WriteStartArray("scopes");
                started = true;
            }

            if (scope is IEnumerable<KeyValuePair<string, object?>> pairs)
            {
                writer.WriteStartObject();
                WriteProperties(writer, pairs);
                writer.WriteEndObject();
            }
            else
            {
                writer.WriteStringValue(Convert.ToString(scope, CultureInfo.InvariantCulture));
            }
        }, json);
        if (started)
        {
            json.WriteEndArray();
        }
    }

    private static void WriteProperties(Utf8JsonWriter json, IEnumerable<KeyValuePair<string, object?>> pairs)
    {
        foreach (var (key, value) in pairs)
        {
            if (key == OriginalFormat)
            {
                continue;
            }

            switch (value)
            {
                case null:
                    json.WriteNull(key);
                    break;
                case bool b:
                    json.WriteBoolean(key, b);
                    break;
                case int or long or short or byte or uint or ushort or sbyte:
                    json.WriteNumber(key, Convert.ToInt64(value, CultureInfo.InvariantCulture));
                    break;
                case ulong u:
                    json.WriteNumber(key, u);
                    break;
                case double d when double.IsFinite(d):
                    json.WriteNumber(key, d);
                    break;
                case decimal m:
                    json.WriteNumber(key, m);
                    break;
                case DateTimeOffset time:
                    json.WriteString(key, time.UtcDateTime);
                    break;
                case DateTime time:
                    json.WriteString(key, time);
                    break;
                default:
                    json.WriteString(key, Convert.ToString(value, CultureInfo.InvariantCulture));
                    break;
            }
        }
    }
}
