namespace Aar.Protocol.Registry;

/// <summary>
/// How long a <see cref="RegistryClient"/> waits and how much it accepts: a registry is untrusted input, so no answer
/// may hold a caller forever or fill its memory or disk. The defaults suit a LAN registry and a slow uplink alike.
/// </summary>
public sealed record RegistryClientOptions
{
    /// <summary>TCP connect plus TLS handshake, per connection. Default 15 s.</summary>
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>
    /// Longest wait for the next bytes of an answer (its headers, or the next read of its body): a registry that
    /// keeps the socket open but stops sending is cut after this long. Default 60 s.
    /// </summary>
    public TimeSpan IdleTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>
    /// Idle time before TCP keepalive probes start (then every 10 s, 3 unanswered probes close the connection), so a
    /// peer that vanished without a FIN or RST is noticed by the kernel. Default 30 s.
    /// </summary>
    public TimeSpan KeepAliveTime { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Redirects followed for one download (<c>aar serve --s3-redirect</c> needs one). Default 5.</summary>
    public int MaxRedirects { get; init; } = 5;

    /// <summary>Follow a redirect to a plain-http address (an object store without TLS). Default false: refused.</summary>
    public bool AllowHttpRedirects { get; init; }

    /// <summary>
    /// Largest listing or deletion list accepted, in bytes. Default 64 MiB: a listing of 50,000 versions with
    /// typical manifests measures 35.8 MiB (about 750 bytes a version, RegistryJsonLimitsTests), so this holds about
    /// 89,000 versions, while a flood is cut before it can cost more than a few hundred MB of memory.
    /// </summary>
    public long MaxListingBytes { get; init; } = 64L * 1024 * 1024;

    /// <summary>Largest other JSON answer accepted (server info, one application, an upload session), in bytes. Default 1 MiB.</summary>
    public long MaxJsonBytes { get; init; } = 1024 * 1024;
}
