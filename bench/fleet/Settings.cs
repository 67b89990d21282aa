using System.Globalization;

namespace Fleet;

/// <summary>What one run simulates; every value comes from the environment so bench/fleet.sh can pass them through.</summary>
internal sealed record Settings
{
    /// <summary>The registry's address (one node, or the load balancer in front of two).</summary>
    public required Uri Url { get; init; }

    /// <summary>Data directory of a node: its admin socket enrols the fleet and the publisher.</summary>
    public required string DataDirectory { get; init; }

    /// <summary>The registry's server certificate (PEM): the clients pin its fingerprint.</summary>
    public required string ServerCertificate { get; init; }

    /// <summary>The registry processes whose CPU and memory are reported (both nodes on a cluster).</summary>
    public required IReadOnlyList<int> ServerPids { get; init; }

    public int Clients { get; init; } = 1000;

    /// <summary>How many of the clients download the new version (the rest only see it in the listing).</summary>
    public int Downloaders { get; init; } = 8;

    /// <summary>
    /// registry.update_interval of every simulated AMS. The AMS's default is 1 h and its minimum 10 s; 60 s is what
    /// an operator sets when a release must reach the fleet within a couple of minutes, and it is a load of
    /// Clients / 60 polls per second, 60 times the default's.
    /// </summary>
    public TimeSpan Interval { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>Steady polling, measured, before the publish.</summary>
    public TimeSpan Steady { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>Bound on the wait for the whole fleet after the publish.</summary>
    public TimeSpan Deadline { get; init; } = TimeSpan.FromSeconds(240);

    public int BlobMiB { get; init; } = 64;

    /// <summary>Extra applications in the listing, so a 200 carries a realistic body (one version each, shared blob).</summary>
    public int SeedApplications { get; init; } = 200;

    public required string Work { get; init; }

    public static Settings FromEnvironment()
    {
        static string Need(string name) => Environment.GetEnvironmentVariable(name) is { Length: > 0 } v ? v : throw new ArgumentException($"{name} is not set");
        static int Int(string name, int fallback) => Environment.GetEnvironmentVariable(name) is { Length: > 0 } v ? int.Parse(v, CultureInfo.InvariantCulture) : fallback;
        static TimeSpan Seconds(string name, TimeSpan fallback) => Environment.GetEnvironmentVariable(name) is { Length: > 0 } v ? TimeSpan.FromSeconds(double.Parse(v, CultureInfo.InvariantCulture)) : fallback;
        var defaults = new Settings { Url = new Uri("https://127.0.0.1"), DataDirectory = "", ServerCertificate = "", ServerPids = [], Work = "" };
        return new Settings
        {
            Url = new Uri(Need("FLEET_URL")),
            DataDirectory = Need("FLEET_DATA_DIR"),
            ServerCertificate = Need("FLEET_SERVER_CERT"),
            ServerPids = [.. Need("FLEET_SERVER_PIDS").Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(p => int.Parse(p, CultureInfo.InvariantCulture))],
            Work = Need("FLEET_WORK"),
            Clients = Int("CLIENTS", defaults.Clients),
            Downloaders = Int("DOWNLOADERS", defaults.Downloaders),
            Interval = Seconds("INTERVAL", defaults.Interval),
            Steady = Seconds("STEADY", defaults.Steady),
            Deadline = Seconds("DEADLINE", defaults.Deadline),
            BlobMiB = Int("BLOB_MIB", defaults.BlobMiB),
            SeedApplications = Int("SEED_APPS", defaults.SeedApplications),
        };
    }
}
