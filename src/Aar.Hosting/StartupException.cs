namespace Aar.Hosting;

/// <summary>
/// A daemon cannot start for a reason the operator can fix; the message is one sentence that says what to fix.
/// </summary>
public sealed class StartupException(string message, Exception? inner = null) : Exception(message, inner);
