using Aar.Protocol.Management;
using Ams.Daemon.Applications;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Ams.Daemon.Api;

/// <summary><c>GET /1.0</c>: what this AMS is; and the envelope's 404 for unknown routes.</summary>
internal static class ServiceEndpoints
{
    public static IEndpointRouteBuilder MapService(this IEndpointRouteBuilder app, string clientFingerprint)
    {
        app.MapGet(ManagementRoutes.Root, (ApplicationService applications) => Envelope.Sync(
            new ServiceStatus
            {
                Architecture = applications.Architecture,
                PackageSizeLimit = applications.Limits.MaxPackageBytes,
                ClientFingerprint = clientFingerprint,
                ApiExtensions = ["zip_archive_support", "registry"],
            },
            ManagementJsonContext.Default.ServiceStatus));
        app.MapFallback((HttpContext context) => Envelope.Error(ApiError.NotFound($"There is no {context.Request.Method} {context.Request.Path} in the AMS API; see docs/ams.md.")));
        return app;
    }
}
