namespace Ams.Daemon.Hosting;

/// <summary>The daemon cannot start for a reason the operator can fix; the message is one sentence saying what to fix.</summary>
public sealed class StartupException(string message, Exception? inner = null) : Exception(message, inner);
