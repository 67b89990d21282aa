using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Xunit.Abstractions;

namespace TestSupport;

/// <summary>
/// Sends server logs to the test's output, so a failing test shows what the server said, and keeps each event's
/// level, name and message for tests about what is logged.
/// </summary>
public sealed class XunitLoggerProvider(ITestOutputHelper output) : ILoggerProvider
{
    public ConcurrentQueue<(LogLevel Level, string Event, string Message)> Logged { get; } = new();

    public ILogger CreateLogger(string categoryName) => new XunitLogger(output, categoryName, Logged);

    public void Dispose()
    {
    }

    private sealed class XunitLogger(ITestOutputHelper output, string category, ConcurrentQueue<(LogLevel, string, string)> logged) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Information;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            logged.Enqueue((logLevel, eventId.Name ?? "", formatter(state, exception)));
            try
            {
                output.WriteLine($"{DateTime.UtcNow:HH:mm:ss.fff} {logLevel} {category}: {formatter(state, exception)}{(exception is null ? "" : " " + exception)}");
            }
            catch (InvalidOperationException)
            {
                // The test already finished (a late log from shutdown).
            }
        }
    }
}
