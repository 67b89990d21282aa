using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace EndToEnd.Tests;

internal static class Certificates
{
    /// <summary>SHA-256 of the certificate's DER bytes in lower-case hex: computed here, not taken from the product's output.</summary>
    public static string FingerprintOf(string pemFile)
    {
        using var certificate = X509Certificate2.CreateFromPem(File.ReadAllText(pemFile));
        return Convert.ToHexStringLower(SHA256.HashData(certificate.RawData));
    }
}
