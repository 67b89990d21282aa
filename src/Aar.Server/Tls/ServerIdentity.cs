namespace Aar.Server.Tls;

/// <summary>The registry's own server certificate, as clients pin it.</summary>
internal sealed record ServerIdentity(string Fingerprint, string CertificatePem);
