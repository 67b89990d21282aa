using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Logging.Console;
using Microsoft.Extensions.Options;

namespace Aar.Hosting;

/// <summary>
/// <c>--log-format text</c>: <c>2026-01-31T12:00:00.000Z info: Aar.Server.Tls[ServerCertificateLoaded] Server
/// certificate …</c>, one line per event. Microsoft's simple formatter prints the event's number, which for our events
/// is a hash of the name; this one prints the name an operator can grep for.
/// </summary>
public sealed class DaemonTextLogFormatter(IOptionsMonitor<DaemonLogFormatterOptions> options) : ConsoleFormatter(Name)
{
    public new const string Name = "daemon-text";

    public override void Write<TState>(in LogEntry<TState> logEntry, IExternalScopeProvider? scopeProvider, TextWriter textWriter)
    {
        var message = logEntry.Formatter(logEntry.State, logEntry.Exception);
        if (string.IsNullOrEmpty(message) && logEntry.Exception is null)
        {
            return;
        }

        var line = new StringBuilder(256);
        if (options.CurrentValue.SyslogPriority)
        {
            line.Append(LogLine.Priority(logEntry.LogLevel));
        }

        line.Append(LogLine.Timestamp()).Append(' ').Append(LogLine.ShortLevel(logEntry.LogLevel)).Append(": ")
            .Append(logEntry.Category).Append('[').Append(LogLine.Event(logEntry.Category, logEntry.EventId)).Append("] ");
        LogLine.AppendSingleLine(line, message ?? "");
        if (logEntry.Exception is { } exception)
        {
            line.Append(' ');
            LogLine.AppendSingleLine(line, exception.ToString());
        }

        textWriter.Write(line.Append('\n'));
    }
}
