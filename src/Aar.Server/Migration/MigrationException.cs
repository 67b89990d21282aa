using Aar.Protocol.Cli;

namespace Aar.Server.Migration;

/// <summary>
/// A migration that cannot go on, with one sentence saying why and what to do, and the exit code <c>aar migrate</c>
/// ends with (<see cref="ExitCodes"/>: bad options, nothing to migrate, damaged source, non-empty target).
/// </summary>
public sealed class MigrationException(string message, int exitCode = ExitCodes.Conflict, Exception? inner = null) : Exception(message, inner)
{
    public int ExitCode { get; } = exitCode;
}
