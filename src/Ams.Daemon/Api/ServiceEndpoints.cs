using Aar.Protocol.Management;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Ams.Daemon.Api;

/// <summary><c>GET /1.0</c>: what this AMS is (the composition root says); and the envelope's 404 for unknown routes.</summary>
internal static class ServiceEndpoints
{
    public static IEndpointRouteBuilder MapService(this IEndpointRouteBuilder app, ServiceStatus status)
    {
        app.MapGet(ManagementRoutes.Root, () => Envelope.Sync(status, ManagementJsonContext.Default.ServiceStatus));
        app.MapFallback((HttpContext context) => Envelope.Error(ApiProblem.NotFound($"There is no {context.Request.Method} {context.Request.Path} in the AMS API; see docs/ams.md.")));
        return app;
    }
}
