namespace Aar.Protocol.Management;

/// <summary>The validated <c>manifest.yaml</c> of a version (keys as in the original product's manifest).</summary>
public sealed record ManifestInfo
{
    public required string Name { get; init; }

    public string? Version { get; init; }

    public string? InstanceType { get; init; }

    public string? Image { get; init; }

    public string? BootPackage { get; init; }

    public string? BootActivity { get; init; }

    public string? VideoEncoder { get; init; }

    public List<string> RequiredPermissions { get; init; } = [];

    public List<string> Addons { get; init; } = [];

    public List<string> Tags { get; init; } = [];

    public List<string> Features { get; init; } = [];

    public List<string> NodeSelector { get; init; } = [];

    public Dictionary<string, string> Resources { get; init; } = [];

    public ManifestWatchdog? Watchdog { get; init; }

    public List<ManifestService> Services { get; init; } = [];

    public Dictionary<string, ManifestExtraData> ExtraData { get; init; } = [];

    public string? HooksTimeout { get; init; }

    public List<string> BootstrapKeep { get; init; } = [];

    /// <summary>True when the package holds an <c>app.apk</c>.</summary>
    public bool HasApk { get; init; }
}

public sealed record ManifestWatchdog
{
    public bool Disabled { get; init; }

    public List<string> AllowedPackages { get; init; } = [];
}

public sealed record ManifestService
{
    public required string Name { get; init; }

    public required int Port { get; init; }

    public int? PortEnd { get; init; }

    public List<string> Protocols { get; init; } = [];

    public bool Expose { get; init; }
}

public sealed record ManifestExtraData
{
    public required string Target { get; init; }

    public string Owner { get; init; } = "root:root";

    public string Permissions { get; init; } = "0644";
}
