namespace Ams.Daemon.Config;

/// <summary>How this AMS exchanges applications with a registry (<c>registry.mode</c>).</summary>
internal enum RegistryMode
{
    Pull,
    Push,
    Manual,
}

/// <summary>
/// The effective configuration at one moment, typed. Immutable: <see cref="ConfigStore"/> publishes a new one on
/// every change, so a reader (the sync worker) always sees a consistent set of values.
/// </summary>
internal sealed record AmsConfig
{
    /// <summary>The registry's address; null while <c>registry.url</c> is empty (then nothing syncs).</summary>
    public Uri? RegistryUrl { get; init; }

    /// <summary>Fingerprint the registry's server certificate must have; empty when not set.</summary>
    public string RegistryFingerprint { get; init; } = "";

    /// <summary>
    /// The registry's listing-signing key every listing must verify with (<c>registry.signing_key</c>); null until pinned,
    /// by a join token, by the operator, or on first use. It belongs to this AMS, not to the URL: changing
    /// <c>registry.url</c> keeps it, and only the operator or a rotation signed by this key replaces it.
    /// </summary>
    public Aar.Protocol.Signing.SigningPublicKey? SigningKey { get; init; }

    public TimeSpan UpdateInterval { get; init; } = ConfigKeys.DefaultUpdateInterval;

    public RegistryMode Mode { get; init; } = RegistryMode.Pull;

    /// <summary>Pull only applications carrying one of these tags; empty means all.</summary>
    public PullFilter Filter { get; init; } = PullFilter.All;

    public bool AutoPublish { get; init; }

    /// <summary>Waits and caps for registry connections (<c>registry.timeout.connect|idle</c>, <c>registry.redirect.allow_http</c>).</summary>
    public Aar.Protocol.Registry.RegistryClientOptions Transport { get; init; } = new();

    /// <summary>Longest a sync pass may run before it is stopped (<c>registry.timeout.pass</c>); default 6 h.</summary>
    public TimeSpan PassTimeout { get; init; } = TimeSpan.FromHours(6);

    /// <summary>Every key with its effective value as text, defaults included (what <c>amc config show</c> prints).</summary>
    public required IReadOnlyDictionary<string, string> Values { get; init; }
}

/// <summary>One change, as raised by <see cref="ConfigStore.Changed"/>.</summary>
internal sealed record ConfigChange(string Key, string OldValue, string NewValue, AmsConfig Config);
