using System.Text.Json;
using Aar.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Aar.Server.Tests.Logging;

/// <summary>
/// The daemons' log formatters with hostile values: an application name or reason chosen by a client must not start
/// a second line, or reach a terminal as an escape sequence.
/// </summary>
public sealed class DaemonLogFormatterTests
{
    private const string Hostile = "game\n2026-01-01T00:00:00.000Z info: Aar.Server.Trust.TrustStore[CertificateTrusted] forged\u001b[31m";

    [Fact]
    public void Text_is_one_line_naming_the_event_with_control_characters_escaped()
    {
        var line = Write(new DaemonTextLogFormatter(Options(journal: false)), LogLevel.Warning, new EventId(7, "VersionConflict"), Hostile);

        Assert.Matches(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z warn: Aar.Test\[VersionConflict\] Refused game 2026-01-01T00:00:00.000Z info: Aar.Server.Trust.TrustStore\[CertificateTrusted\] forged\\u001b\[31m of 3 bytes\n$", line);
    }

    [Fact]
    public void Under_the_journal_text_starts_with_the_priority_and_an_event_without_a_name_keeps_its_number()
    {
        var line = Write(new DaemonTextLogFormatter(Options(journal: true)), LogLevel.Error, new EventId(42), "x");

        Assert.StartsWith("<3>", line, StringComparison.Ordinal);
        Assert.Contains(" fail: Aar.Test[42] Refused x of 3 bytes", line, StringComparison.Ordinal);
    }

    [Fact]
    public void Json_is_one_object_per_line_with_typed_arguments()
    {
        var line = Write(new DaemonJsonLogFormatter(Options(journal: false)), LogLevel.Information, new EventId(7, "VersionConflict"), Hostile);

        Assert.EndsWith("\n", line, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', line.TrimEnd('\n'));
        var json = JsonDocument.Parse(line).RootElement;
        Assert.Equal("information", json.GetProperty("level").GetString());
        Assert.Equal("Aar.Test", json.GetProperty("category").GetString());
        Assert.Equal("VersionConflict", json.GetProperty("event").GetString());
        Assert.Equal($"Refused {Hostile} of 3 bytes", json.GetProperty("message").GetString());
        Assert.Equal(Hostile, json.GetProperty("state").GetProperty("Name").GetString());
        Assert.Equal(JsonValueKind.Number, json.GetProperty("state").GetProperty("Size").ValueKind);
        Assert.False(json.GetProperty("state").TryGetProperty("{OriginalFormat}", out _));
        Assert.False(json.TryGetProperty("exception", out _));
    }

    [Fact]
    public void Json_under_the_journal_keeps_the_object_after_the_priority()
    {
        var line = Write(new DaemonJsonLogFormatter(Options(journal: true)), LogLevel.Warning, new EventId(7, "VersionConflict"), "x", new IOException("disk\nfull"));

        Assert.StartsWith("<4>{", line, StringComparison.Ordinal);
        var json = JsonDocument.Parse(line[3..]).RootElement;
        Assert.StartsWith("System.IO.IOException: disk\nfull", json.GetProperty("exception").GetString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("trace", LogLevel.Trace)]
    [InlineData("debug", LogLevel.Debug)]
    [InlineData("information", LogLevel.Information)]
    [InlineData("info", LogLevel.Information)]
    [InlineData("Warning", LogLevel.Warning)]
    [InlineData("warn", LogLevel.Warning)]
    [InlineData("error", LogLevel.Error)]
    [InlineData("critical", LogLevel.Critical)]
    public void Levels_parse(string text, LogLevel level)
    {
        Assert.True(DaemonLogLevel.TryParse(text, out var parsed));
        Assert.Equal(level, parsed);
        Assert.Null(DaemonLogLevel.Check(text));
    }

    [Theory]
    [InlineData("none")]
    [InlineData("")]
    [InlineData("6")]
    public void Other_levels_are_refused(string text) =>
        Assert.Equal($"--log-level '{text}' is unknown: use trace, debug, information, warning, error or critical.", DaemonLogLevel.Check(text));

    private static string Write(Microsoft.Extensions.Logging.Console.ConsoleFormatter formatter, LogLevel level, EventId id, string name, Exception? exception = null)
    {
        IReadOnlyList<KeyValuePair<string, object?>> state =
            [new("Name", name), new("Size", 3L), new("{OriginalFormat}", "Refused {Name} of {Size} bytes")];
        var entry = new LogEntry<IReadOnlyList<KeyValuePair<string, object?>>>(level, "Aar.Test", id, state, exception, (_, _) => $"Refused {name} of 3 bytes");
        using var writer = new StringWriter();
        formatter.Write(entry, null, writer);
        return writer.ToString();
    }

    private static Fixed Options(bool journal) => new Fixed(new DaemonLogFormatterOptions { SyslogPriority = journal });

    private sealed class Fixed(DaemonLogFormatterOptions value) : IOptionsMonitor<DaemonLogFormatterOptions>
    {
        public DaemonLogFormatterOptions CurrentValue => value;

        public DaemonLogFormatterOptions Get(string? name) => value;

        public IDisposable? OnChange(Action<DaemonLogFormatterOptions, string?> listener) => null;
    }
}
