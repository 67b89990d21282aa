namespace Ams.Daemon.Applications;

/// <summary>What the applications feature is told at start (from <c>ams serve</c>'s options).</summary>
/// <param name="Architecture">CPU architecture of the applications this AMS manages (<c>amd64</c> or <c>arm64</c>).</param>
/// <param name="MaxPackageBytes">Largest package accepted, in bytes; also the most a package may expand to.</param>
internal sealed record ApplicationOptions(string Architecture, long MaxPackageBytes);
