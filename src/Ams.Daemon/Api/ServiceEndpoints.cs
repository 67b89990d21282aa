using Aar.Protocol.Management;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Ams.Daemon.Api;

/// <summary><c>GET /1.0</c>: what this AMS is (the composition root says); and the envelope's 404 for unknown routes.</summary>
internal static class ServiceEndpoints
{
    /// <param name="app">The local API.</param>
    /// <param name="status">Read per request: parts of it (the client certificate) can change while the daemon runs.</param>
    public static IEndpointRouteBuilder MapService(this IEndpointRouteBuilder app, Func<ServiceStatus> status)
    {
        app.MapGet(ManagementRoutes.Root, () => Envelope.Sync(status(), ManagementJsonContext.Default.ServiceStatus));
        app.MapFallback((HttpContext context) => Envelope.Error(ApiProblem.NotFound($"There is no {context.Request.Method} {context.Request.Path} in the AMS API; see docs/ams.md.")));
        return app;
    }
}
