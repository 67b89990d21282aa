using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;

namespace Aar.Hosting;

/// <summary>Logs go to stderr (stdout stays free for data), as single lines of text or JSON.</summary>
public static class DaemonLogging
{
    /// <param name="logging">The builder to configure.</param>
    /// <param name="format"><c>json</c> or <c>text</c> (the <c>--log-format</c> value).</param>
    /// <param name="custom">Replaces the console providers (tests capture log lines with it).</param>
    public static void Configure(ILoggingBuilder logging, string format, Action<ILoggingBuilder>? custom)
    {
        logging.ClearProviders();
        logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
        // We log our own start line, and report start failures as one sentence (StartupException); the host's
        // own versions of both are noise with stack traces.
        logging.AddFilter("Microsoft.Hosting.Lifetime", LogLevel.Warning);
        logging.AddFilter("Microsoft.Extensions.Hosting.Internal.Host", LogLevel.Critical);
        if (custom is not null)
        {
            custom(logging);
        }
        else if (format == "json")
        {
            logging.AddJsonConsole(o => o.UseUtcTimestamp = true);
        }
        else
        {
            logging.AddSimpleConsole(o =>
            {
                o.SingleLine = true;
                o.UseUtcTimestamp = true;
                o.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ ";
            });
        }

        logging.Services.Configure<ConsoleLoggerOptions>(o => o.LogToStandardErrorThreshold = LogLevel.Trace);
    }
}
