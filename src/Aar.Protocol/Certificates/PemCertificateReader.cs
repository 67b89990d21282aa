using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Aar.Protocol.Certificates;

/// <summary>Why a PEM text could not be read as exactly one certificate.</summary>
public enum PemProblem
{
    None,
    Empty,
    NotPem,
    PrivateKey,
    NoCertificate,
    SeveralCertificates,
    Malformed,
}

/// <summary>The outcome of reading a PEM text: one certificate, or a problem with a sentence for people.</summary>
public sealed record PemReadResult(X509Certificate2? Certificate, PemProblem Problem, string? Error)
{
    public bool Succeeded => Certificate is not null;
}

/// <summary>
/// Reads exactly one X.509 certificate from PEM text. Refuses private keys loudly (someone copied the wrong file and
/// the key should now be treated as exposed), and refuses several certificates in one input: a trust decision is
/// made about one identity at a time.
/// </summary>
public static class PemCertificateReader
{
    /// <summary>Upper bound for a certificate input; a real certificate PEM is a few KiB.</summary>
    public const int MaximumLength = 64 * 1024;

    public static PemReadResult Read(string? text, string source)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return Fail(PemProblem.Empty, $"{source} is empty: expected a PEM certificate (-----BEGIN CERTIFICATE-----).");
        }

        if (text.Length > MaximumLength)
        {
            return Fail(PemProblem.NotPem, $"{source} is {text.Length} bytes, too large for a certificate (at most {MaximumLength}); is it the right file?");
        }

        var certificates = new List<X509Certificate2>();
        var span = text.AsSpan();
        var sawAnyPem = false;
        while (PemEncoding.TryFind(span, out var fields))
        {
            sawAnyPem = true;
            var label = span[fields.Label];
            if (label.EndsWith("PRIVATE KEY", StringComparison.Ordinal))
            {
                DisposeAll(certificates);
                return Fail(PemProblem.PrivateKey, $"{source} contains a private key, not a certificate. Give the certificate (.crt) instead, and treat this key as exposed if it left its machine.");
            }

            if (label.SequenceEqual("CERTIFICATE"))
            {
                try
                {
                    var der = Convert.FromBase64String(span[fields.Base64Data].ToString());
                    certificates.Add(X509CertificateLoader.LoadCertificate(der));
                }
                catch (CryptographicException ex)
                {
                    DisposeAll(certificates);
                    return Fail(PemProblem.Malformed, $"{source} has a CERTIFICATE block that is not a valid X.509 certificate ({ex.Message.TrimEnd('.')}).");
                }
            }

            span = span[fields.Location.End..];
        }

        if (!sawAnyPem)
        {
            return Fail(PemProblem.NotPem, $"{source} is not PEM: expected a block starting with -----BEGIN CERTIFICATE-----.");
        }

        if (certificates.Count == 0)
        {
            return Fail(PemProblem.NoCertificate, $"{source} holds PEM data but no CERTIFICATE block.");
        }

        if (certificates.Count > 1)
        {
            DisposeAll(certificates);
            return Fail(PemProblem.SeveralCertificates, $"{source} holds {certificates.Count} certificates; give one certificate per command so each trust decision is explicit.");
        }

        return new PemReadResult(certificates[0], PemProblem.None, null);
    }

    private static PemReadResult Fail(PemProblem problem, string error) => new(null, problem, error);

    private static void DisposeAll(List<X509Certificate2> certificates)
    {
        foreach (var certificate in certificates)
        {
            certificate.Dispose();
        }
    }
}
