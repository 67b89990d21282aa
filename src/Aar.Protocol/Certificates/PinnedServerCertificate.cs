using System.Net.Security;
using System.Security.Cryptography.X509Certificates;

namespace Aar.Protocol.Certificates;

/// <summary>
/// Validates a server by its pinned fingerprint only. Self-signed certificates always arrive with chain errors,
/// so the decision is the pin, never <see cref="SslPolicyErrors"/>.
/// </summary>
public static class PinnedServerCertificate
{
    public static RemoteCertificateValidationCallback Validator(Fingerprint expected, Action<Fingerprint>? onMismatch = null) =>
        (_, certificate, _, _) =>
        {
            if (certificate is null)
            {
                return false;
            }

            var actual = certificate is X509Certificate2 typed
                ? Fingerprint.Of(typed)
                : Fingerprint.Of(X509CertificateLoader.LoadCertificate(certificate.GetRawCertData()));
            if (actual == expected)
            {
                return true;
            }

            onMismatch?.Invoke(actual);
            return false;
        };
}
