using System.Reflection;
using Aar.Protocol;
using Aar.Protocol.Registry;
using Aar.Server.Access;
using Aar.Server.Trust;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Aar.Server.Info;

/// <summary><c>GET /1.0</c>: the server's version and what it thinks of the caller.</summary>
internal static class InfoEndpoints
{
    public static readonly string ServerVersion =
        typeof(InfoEndpoints).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0] ?? "0.0.0";

    public static IEndpointRouteBuilder MapInfo(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/" + ApiVersions.Current).AllowAnyTrustedCaller();
        group.MapGet("/", (HttpContext context) =>
        {
            var caller = context.Features.Get<CallerIdentity>()
                ?? throw new InvalidOperationException("TrustGateMiddleware did not run before the info endpoint.");
            return Results.Json(
                new ServerInfo
                {
                    ServerVersion = ServerVersion,
                    ApiVersion = ApiVersions.Current,
                    Fingerprint = caller.Fingerprint,
                    Role = caller.Role.ToWire(),
                    Name = caller.Name,
                    CertificateExpiresAt = caller.ExpiresAt,
                },
                ProtocolJsonContext.Default.ServerInfo);
        });
        return app;
    }
}
