using System.Security.Cryptography.X509Certificates;
using Aar.Protocol.Admin;
using Aar.Protocol.Certificates;

namespace Fleet;

/// <summary>
/// Certificates made at run time, one per simulated AMS (as each AMS makes its own), trusted in bulk through the
/// registry's admin socket: what <c>aar trust add</c> does, without starting a CLI a thousand times.
/// </summary>
internal static class Enrolment
{
    public static async Task<X509Certificate2[]> EnrolAsync(string dataDirectory, int count, string prefix, string role)
    {
        var certificates = new X509Certificate2[count];
        using var admin = AdminClient.ForDataDirectory(dataDirectory);
        await Parallel.ForAsync(0, count, new ParallelOptions { MaxDegreeOfParallelism = 4 }, async (i, cancellationToken) =>
        {
            var certificate = SelfSignedCertificates.CreateClient($"{prefix}-{i:D4}", TimeProvider.System, TimeSpan.FromDays(2));
            var added = await admin.AddAsync(new AddTrustRequest { Certificate = CertificateFacts.ToPem(certificate), Role = role }, cancellationToken);
            if (!added.Succeeded)
            {
                throw new InvalidOperationException($"trust add {prefix}-{i}: {added.Problem!.Detail}");
            }

            certificates[i] = certificate;
        });
        return certificates;
    }
}
