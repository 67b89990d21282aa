using System.Globalization;
using System.Text;
using Microsoft.Extensions.Logging;

namespace Aar.Hosting;

/// <summary>What the text and JSON formatters say the same way: time, level, event name, and a message on one line.</summary>
internal static class LogLine
{
    public static string Timestamp() => DateTimeOffset.UtcNow.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    private const string RequestDiagnostics = "Microsoft.AspNetCore.Hosting.Diagnostics";

    /// <summary>
    /// The event's name: a LoggerMessage method gives its own name (and a number that is only a hash of it). ASP.NET
    /// Core's request lines, shown at debug, have numbers only; they get the names ASP.NET gives those numbers in its
    /// source (LoggerEventIds). Any other event without a name keeps its number; none at all is <c>0</c>.
    /// </summary>
    public static string Event(string category, EventId id) => id switch
    {
        { Name: { } name } => name,
        { Id: 1 } when category == RequestDiagnostics => "RequestStarting",
        { Id: 2 } when category == RequestDiagnostics => "RequestFinished",
        _ => id.Id.ToString(CultureInfo.InvariantCulture),
    };

    public static string LevelName(LogLevel level) => level switch
    {
        LogLevel.Trace => "trace",
        LogLevel.Debug => "debug",
        LogLevel.Information => "information",
        LogLevel.Warning => "warning",
        LogLevel.Error => "error",
        _ => "critical",
    };

    /// <summary>The four letters Microsoft's console formatters print, so familiar greps keep working.</summary>
    public static string ShortLevel(LogLevel level) => level switch
    {
        LogLevel.Trace => "trce",
        LogLevel.Debug => "dbug",
        LogLevel.Information => "info",
        LogLevel.Warning => "warn",
        LogLevel.Error => "fail",
        _ => "crit",
    };

    /// <summary>syslog priorities (RFC 5424), as Microsoft's systemd console formatter maps them.</summary>
    public static string Priority(LogLevel level) => level switch
    {
        LogLevel.Trace or LogLevel.Debug => "<7>",
        LogLevel.Information => "<6>",
        LogLevel.Warning => "<4>",
        LogLevel.Error => "<3>",
        _ => "<2>",
    };

    /// <summary>
    /// Text as one line: a message quotes names, paths and reasons that clients chose, and a line break in one of
    /// them must not forge a second log line; other control characters (terminal escapes) are shown as <c>\u001b</c>.
    /// Line breaks (also inside an exception's stack trace) become spaces, as Microsoft's single-line format does.
    /// </summary>
    public static void AppendSingleLine(StringBuilder line, string text)
    {
        foreach (var c in text.AsSpan().TrimEnd())
        {
            if (c is '\n' or '\t')
            {
                line.Append(' ');
            }
            else if (c == '\r')
            {
                continue;
            }
            else if (char.IsControl(c))
            {
                line.Append(CultureInfo.InvariantCulture, $"\\u{(int)c:x4}");
            }
            else
            {
                line.Append(c);
            }
        }
    }
}
