namespace Aar.Server.Migration;

/// <summary>A migration that cannot go on, with one sentence saying why and what to do.</summary>
public sealed class MigrationException(string message, Exception? inner = null) : Exception(message, inner);
