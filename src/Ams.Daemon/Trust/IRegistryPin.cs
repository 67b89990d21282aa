namespace Ams.Daemon.Trust;

/// <summary>
/// The trusted certificate that must not be removed while it is pinned: <c>registry.fingerprint</c>. Implemented by
/// the configuration (which sits above the trust list), so removing a certificate can check the pin without the
/// trust list depending on the configuration.
/// </summary>
internal interface IRegistryPin
{
    /// <summary>The pinned fingerprint (as stored), empty when none is set.</summary>
    string PinnedFingerprint { get; }
}
