using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Aar.Protocol.Certificates;

/// <summary>Small facts about a certificate that trust decisions and tables need.</summary>
public static class CertificateFacts
{
    public static bool IsCertificateAuthority(X509Certificate2 certificate)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        var constraints = certificate.Extensions.OfType<X509BasicConstraintsExtension>().FirstOrDefault();
        return constraints is { CertificateAuthority: true };
    }

    /// <summary>
    /// True when the certificate names itself as issuer and its signature verifies with its own key: a self-signed
    /// certificate, such as <c>openssl req -x509</c> makes (CA:TRUE by default). Verified by the platform's chain
    /// engine with the certificate as its only trust anchor; validity dates and revocation are not part of the
    /// question.
    /// </summary>
    public static bool IsSelfSigned(X509Certificate2 certificate)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        if (!certificate.SubjectName.RawData.AsSpan().SequenceEqual(certificate.IssuerName.RawData))
        {
            return false;
        }

        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(certificate);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.DisableCertificateDownloads = true;
        chain.ChainPolicy.VerificationFlags = X509VerificationFlags.IgnoreNotTimeValid | X509VerificationFlags.IgnoreWrongUsage
            | X509VerificationFlags.IgnoreInvalidBasicConstraints | X509VerificationFlags.IgnoreInvalidPolicy;
        return chain.Build(certificate) && chain.ChainElements.Count == 1;
    }

    /// <summary>The subject's common name, or the whole subject when there is no CN.</summary>
    public static string CommonName(X509Certificate2 certificate)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        var cn = certificate.GetNameInfo(X509NameType.SimpleName, forIssuer: false);
        return string.IsNullOrEmpty(cn) ? certificate.Subject : cn;
    }

    /// <summary>
    /// SHA-256 of the certificate's SubjectPublicKeyInfo (DER), 64 lower-case hex characters: the same for every
    /// certificate made from one key pair (the pin of RFC 7469), so a revocation can refuse the key, not just one
    /// certificate of it.
    /// </summary>
    public static string PublicKeySha256(X509Certificate2 certificate)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        return Convert.ToHexStringLower(SHA256.HashData(certificate.PublicKey.ExportSubjectPublicKeyInfo()));
    }

    public static DateTimeOffset NotBefore(X509Certificate2 certificate) => new(certificate.NotBefore.ToUniversalTime());

    public static DateTimeOffset NotAfter(X509Certificate2 certificate) => new(certificate.NotAfter.ToUniversalTime());

    public static string ToPem(X509Certificate2 certificate)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        return certificate.ExportCertificatePem() + "\n";
    }
}
