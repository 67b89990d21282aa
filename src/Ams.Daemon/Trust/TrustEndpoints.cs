using Aar.Protocol.Management;
using Ams.Daemon.Api;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Ams.Daemon.Trust;

/// <summary><c>/1.0/certificates</c>: behind <c>amc config trust add|list|remove</c>.</summary>
internal static class TrustEndpoints
{
    public static IEndpointRouteBuilder MapTrust(this IEndpointRouteBuilder app)
    {
        app.MapGet(ManagementRoutes.Certificates, (TrustStore trust) => Envelope.Sync(trust.Entries.ToList(), ManagementJsonContext.Default.ListTrustedCertificate));
        app.MapPost(ManagementRoutes.Certificates, Add);
        app.MapDelete(ManagementRoutes.Certificates + "/{fingerprintOrName}", Remove);
        return app;
    }

    private static async Task<IResult> Add(HttpRequest request, TrustStore trust, CancellationToken cancellationToken)
    {
        var body = await JsonBody.ReadAsync(request, ManagementJsonContext.Default.TrustAddRequest, null, cancellationToken);
        return body.Succeeded
            ? Envelope.From(await trust.AddAsync(body.Value!.Certificate ?? "", cancellationToken), ManagementJsonContext.Default.TrustedCertificate)
            : Envelope.Error(body.Error!);
    }

    private static async Task<IResult> Remove(string fingerprintOrName, TrustStore trust, IRegistryPin pin, CancellationToken cancellationToken)
    {
        var found = trust.Find(fingerprintOrName);
        if (!found.Succeeded)
        {
            return Envelope.Error(found.Error!);
        }

        if (found.Value!.Fingerprint == pin.PinnedFingerprint)
        {
            return Envelope.Error(ApiProblem.Conflict($"Certificate {found.Value.Fingerprint} ('{found.Value.CommonName}') is the pinned registry.fingerprint; clear it first with 'amc config set registry.fingerprint \"\"'."));
        }

        return Envelope.From(await trust.RemoveAsync(found.Value.Fingerprint, cancellationToken), ManagementJsonContext.Default.TrustedCertificate);
    }
}
