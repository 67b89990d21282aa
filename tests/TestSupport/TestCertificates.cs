using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Aar.Protocol.Certificates;

namespace TestSupport;

/// <summary>Certificates made at run time for each test: nothing checked in, nothing that expires in the repository.</summary>
public static class TestCertificates
{
    /// <summary>A client certificate as an AMS makes it (self-signed leaf, clientAuth).</summary>
    public static X509Certificate2 Client(string commonName = "ams-test") =>
        SelfSignedCertificates.CreateClient(commonName, TimeProvider.System, TimeSpan.FromDays(30));

    /// <summary>A certificate valid between the two offsets from now (negative = in the past).</summary>
    public static X509Certificate2 ValidBetween(string commonName, TimeSpan from, TimeSpan until)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={commonName}", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        var now = DateTimeOffset.UtcNow;
        return request.CreateSelfSigned(now + from, now + until);
    }

    /// <summary>A new client certificate for an existing key pair: another fingerprint, the same public key.</summary>
    public static X509Certificate2 FromKey(ECDsa key, string commonName)
    {
        var request = new CertificateRequest($"CN={commonName}", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.2")], false));
        var now = DateTimeOffset.UtcNow;
        return request.CreateSelfSigned(now.AddMinutes(-5), now.AddDays(30));
    }

    /// <summary>A self-signed certificate authority (basicConstraints CA:TRUE): trusted as itself, by fingerprint.</summary>
    public static X509Certificate2 CertificateAuthority(string commonName = "test-ca")
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={commonName}", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        var now = DateTimeOffset.UtcNow;
        return request.CreateSelfSigned(now.AddDays(-1), now.AddDays(30));
    }

    /// <summary>A CA certificate (CA:TRUE) issued by another CA, not self-signed: the trust store refuses it.</summary>
    public static X509Certificate2 IntermediateAuthority(string commonName = "test-intermediate")
    {
        using var root = CertificateAuthority("test-root");
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={commonName}", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        var now = DateTimeOffset.UtcNow;
        using var issued = request.Create(root, now.AddDays(-1), now.AddDays(20), [1, 2, 3, 4]);
        return issued.CopyWithPrivateKey(key);
    }

    public static string Pem(X509Certificate2 certificate) => CertificateFacts.ToPem(certificate);

    public static string PrivateKeyPem(X509Certificate2 certificate) =>
        certificate.GetECDsaPrivateKey()!.ExportPkcs8PrivateKeyPem();

    public static string FingerprintOf(X509Certificate2 certificate) => Fingerprint.Of(certificate).Hex;
}
