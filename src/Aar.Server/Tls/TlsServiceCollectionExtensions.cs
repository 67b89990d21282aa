using System.Security.Cryptography.X509Certificates;
using Aar.Protocol.Certificates;
using Microsoft.Extensions.DependencyInjection;

namespace Aar.Server.Tls;

internal static class TlsServiceCollectionExtensions
{
    /// <summary>The registry's own certificate as clients pin it (<see cref="ServerIdentity"/>).</summary>
    public static IServiceCollection AddTls(this IServiceCollection services, X509Certificate2 certificate) =>
        services.AddSingleton(new ServerIdentity(Fingerprint.Of(certificate), CertificateFacts.ToPem(certificate)));
}
