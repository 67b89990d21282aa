using System.Net.Security;

namespace Aar.Server.Tls;

/// <summary>
/// The cipher suites the registry offers, AES-128-GCM first, as docker-registry (Go's crypto/tls on AES hardware)
/// does. OpenSSL's default order puts AES-256-GCM first, whose four extra AES rounds per block are pure cost on a
/// download: nothing else changes for the client, and TLS_AES_128_GCM_SHA256 is the suite every TLS 1.3 client must
/// implement (RFC 8446, 9.1). The rest stay offered for clients without AES instructions (ChaCha20) and for TLS 1.2.
/// </summary>
internal static class TlsCipherSuites
{
    public static CipherSuitesPolicy Policy { get; } = new(
    [
        TlsCipherSuite.TLS_AES_128_GCM_SHA256,
        TlsCipherSuite.TLS_AES_256_GCM_SHA384,
        TlsCipherSuite.TLS_CHACHA20_POLY1305_SHA256,
        TlsCipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
        TlsCipherSuite.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
        TlsCipherSuite.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
        TlsCipherSuite.TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
        TlsCipherSuite.TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
        TlsCipherSuite.TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
    ]);
}
