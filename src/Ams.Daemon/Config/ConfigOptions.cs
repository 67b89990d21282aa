namespace Ams.Daemon.Config;

/// <summary>What the configuration is told at start.</summary>
/// <param name="Architecture">The architecture <c>ams serve</c> was started with: shown as the fixed key <c>architecture</c>.</param>
internal sealed record ConfigOptions(string Architecture);
