namespace Ams.Daemon.Sync;

/// <summary>The registry's chunk index or range bytes are not what they claim; the message is one sentence.</summary>
internal sealed class DeltaRefusedException(string message) : Exception(message);
