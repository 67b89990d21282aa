using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Aar.Protocol.Certificates;

/// <summary>
/// Makes the self-signed certificates the processes create on first start: the registry's server certificate and
/// each AMS's registry client certificate. ECDSA P-256: small, fast handshakes, supported by every TLS stack we meet.
/// </summary>
public static class SelfSignedCertificates
{
    /// <summary>Ten years, as LXD does for its server certificate: these are pinned by fingerprint, not chained.</summary>
    public static readonly TimeSpan DefaultValidity = TimeSpan.FromDays(3650);

    /// <summary>Backdated a little so a peer whose clock is slightly behind does not see a not-yet-valid certificate.</summary>
    private static readonly TimeSpan ClockSkewAllowance = TimeSpan.FromDays(1);

    public static X509Certificate2 CreateServer(string commonName, IEnumerable<string> dnsNames, IEnumerable<IPAddress> addresses, TimeProvider time, TimeSpan? validity = null)
    {
        var sans = new SubjectAlternativeNameBuilder();
        foreach (var name in dnsNames.Distinct(StringComparer.OrdinalIgnoreCase))
        {
            sans.AddDnsName(name);
        }

        foreach (var address in addresses.Distinct())
        {
            sans.AddIpAddress(address);
        }

        return Create(commonName, "1.3.6.1.5.5.7.3.1", sans.Build(), time, validity ?? DefaultValidity);
    }

    public static X509Certificate2 CreateClient(string commonName, TimeProvider time, TimeSpan? validity = null) =>
        Create(commonName, "1.3.6.1.5.5.7.3.2", extraExtension: null, time, validity ?? DefaultValidity);

    private static X509Certificate2 Create(string commonName, string extendedKeyUsageOid, X509Extension? extraExtension, TimeProvider time, TimeSpan validity)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(commonName);
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var subject = new X500DistinguishedNameBuilder();
        subject.AddCommonName(commonName);
        var request = new CertificateRequest(subject.Build(), key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid(extendedKeyUsageOid)], false));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        if (extraExtension is not null)
        {
            request.CertificateExtensions.Add(extraExtension);
        }

        var now = time.GetUtcNow();
        return request.CreateSelfSigned(now - ClockSkewAllowance, now + validity);
    }
}
