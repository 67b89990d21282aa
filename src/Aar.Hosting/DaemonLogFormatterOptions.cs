using Microsoft.Extensions.Logging.Console;

namespace Aar.Hosting;

/// <summary>Options of both daemon formatters; timestamps are always UTC, scopes only in JSON.</summary>
public sealed class DaemonLogFormatterOptions : ConsoleFormatterOptions
{
    /// <summary>
    /// Start each line with its syslog priority, <c>&lt;6&gt;</c> for information: journald strips it and stores the
    /// level, so <c>journalctl -p warning</c> works. Set when stderr is the journal (<see cref="SystemdJournal"/>).
    /// </summary>
    public bool SyslogPriority { get; set; }
}
