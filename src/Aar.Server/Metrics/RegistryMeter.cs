using System.Diagnostics.Metrics;

namespace Aar.Server.Metrics;

/// <summary>
/// The registry's one meter. Every feature creates its instruments on it (through the host's
/// <see cref="IMeterFactory"/>, which hands each feature the same meter), and the exporter publishes it as the
/// <c>aar_</c> metrics (docs/operations.md lists them all).
/// </summary>
internal static class RegistryMeter
{
    public const string Name = "aar";

    public static Meter Create(IMeterFactory meters) => meters.Create(Name);

    /// <summary>One label.</summary>
    public static KeyValuePair<string, object?>[] Label(string name, string value) => [new(name, value)];
}
