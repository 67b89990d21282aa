using Aar.Protocol.Certificates;

namespace Ams.Daemon.Sync;

/// <summary>
/// Which registry a pulled generation and a rejected version belong to: its URL (scheme, host and port) and the
/// pinned fingerprint of its server certificate.
/// </summary>
internal sealed record RegistryIdentity(string Url, Fingerprint Fingerprint)
{
    /// <summary>As stored in <c>registry_state</c> and <c>rejected_versions</c>: <c>"&lt;url&gt; &lt;fingerprint&gt;"</c>.</summary>
    public string Key => $"{Url} {Fingerprint.Hex}";
}
