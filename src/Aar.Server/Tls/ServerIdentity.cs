using Aar.Protocol.Certificates;

namespace Aar.Server.Tls;

/// <summary>The registry's own server certificate, as clients pin it.</summary>
internal sealed record ServerIdentity(Fingerprint Fingerprint, string CertificatePem);
