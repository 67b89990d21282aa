using Aar.Protocol;
using Aar.Protocol.Admin;
using Aar.Protocol.Registry;
using Aar.Server.Access;
using Aar.Server.Applications;
using Aar.Server.Info;
using Aar.Server.Signing;
using Aar.Server.Storage;
using Aar.Server.Trust;
using Aar.Server.Uploads;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Aar.Server.Status;

/// <summary><c>aar status</c>, on the admin unix socket only: counts read from every feature, changing nothing.</summary>
internal static class StatusEndpoints
{
    public static IEndpointRouteBuilder MapStatus(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup(AdminRoutes.Prefix).AdminSocketOnly();
        group.MapGet(AdminRoutes.Status[AdminRoutes.Prefix.Length..], Status);
        return app;
    }

    private static async Task<IResult> Status(ApplicationQueries queries, IBlobStore blobs, UploadSessions uploads, TrustStore trust, SigningKeys signing, CancellationToken cancellationToken)
    {
        var generation = await queries.GenerationAsync(cancellationToken);
        var (applications, versions, _) = await queries.InventoryAsync(cancellationToken);
        var (blobCount, blobBytes) = (0, 0L);
        await foreach (var blob in blobs.ListAsync(cancellationToken))
        {
            blobCount++;
            blobBytes += blob.Size;
        }

        var (sessions, uploadBytes) = await uploads.StatisticsAsync(cancellationToken);
        var snapshot = trust.Current;
        var signer = await signing.CurrentAsync(cancellationToken);
        return Results.Json(
            new RegistryStatus
            {
                ServerVersion = InfoEndpoints.ServerVersion,
                Generation = generation,
                Applications = applications,
                Versions = versions,
                Blobs = blobCount,
                BlobBytes = blobBytes,
                UploadsInFlight = sessions,
                UploadBytes = uploadBytes,
                TrustedPublishers = snapshot.Trusted.Values.Count(e => e.Role == TrustRole.Publisher),
                TrustedClients = snapshot.Trusted.Values.Count(e => e.Role == TrustRole.Client),
                RevokedCertificates = snapshot.Revoked.Count,
                SigningKeyId = signer.Current?.KeyId,
                SigningPublicKey = signer.Current?.PublicKey,
                SigningKeyRotations = signer.Current?.Sequence ?? 0,
                SigningProblem = signer.Problem,
            },
            ProtocolJsonContext.Default.RegistryStatus);
    }
}
