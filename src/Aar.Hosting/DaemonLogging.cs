using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;

namespace Aar.Hosting;

/// <summary>
/// Logs go to stderr (stdout stays free for data), one line per event, as text or JSON, each naming its event
/// (<see cref="DaemonTextLogFormatter"/>, <see cref="DaemonJsonLogFormatter"/>).
/// </summary>
public static class DaemonLogging
{
    /// <param name="logging">The builder to configure.</param>
    /// <param name="format"><c>json</c> or <c>text</c> (the <c>--log-format</c> value).</param>
    /// <param name="level">The least severe level written (the <c>--log-level</c> value).</param>
    /// <param name="custom">Replaces the console providers (tests capture log lines with it).</param>
    public static void Configure(ILoggingBuilder logging, string format, LogLevel level, Action<ILoggingBuilder>? custom)
    {
        logging.ClearProviders();
        logging.SetMinimumLevel(level);
        // ASP.NET Core's own information lines (a request started, finished, a route matched) are per-request noise;
        // its warnings and errors still come. At debug, the request lines are the per-request detail asked for.
        var framework = level <= LogLevel.Debug ? LogLevel.Information : LogLevel.Warning;
        logging.AddFilter("Microsoft.AspNetCore", Max(framework, level));
        // We log our own start line, and report start failures as one sentence (StartupException); the host's
        // own versions of both are noise with stack traces.
        logging.AddFilter("Microsoft.Hosting.Lifetime", Max(LogLevel.Warning, level));
        logging.AddFilter("Microsoft.Extensions.Hosting.Internal.Host", LogLevel.Critical);
        if (custom is not null)
        {
            custom(logging);
            return;
        }

        // After SystemdService.Add: AddSystemd picks Microsoft's systemd formatter, and ours must win.
        var formatter = format == "json" ? DaemonJsonLogFormatter.Name : DaemonTextLogFormatter.Name;
        logging.AddConsole(o => o.FormatterName = formatter);
        var journal = SystemdJournal.IsStandardError();
        logging.AddConsoleFormatter<DaemonTextLogFormatter, DaemonLogFormatterOptions>(o => o.SyslogPriority = journal);
        logging.AddConsoleFormatter<DaemonJsonLogFormatter, DaemonLogFormatterOptions>(o =>
        {
            o.SyslogPriority = journal;
            o.IncludeScopes = true;
        });
        logging.Services.Configure<ConsoleLoggerOptions>(o => o.LogToStandardErrorThreshold = LogLevel.Trace);
    }

    private static LogLevel Max(LogLevel a, LogLevel b) => a > b ? a : b;
}
