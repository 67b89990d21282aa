namespace Aar.Server.Migration;

/// <summary>
/// A migration that cannot go on, with one sentence saying why and what to do, and the kind of failure
/// (<see cref="MigrationFailure"/>: bad options, nothing to migrate, damaged source, non-empty target).
/// </summary>
public sealed class MigrationException(string message, MigrationFailure failure = MigrationFailure.TargetNotEmpty, Exception? inner = null) : Exception(message, inner)
{
    public MigrationFailure Failure { get; } = failure;
}
