using Aar.Protocol.Management;
using Ams.Daemon.Api;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Ams.Daemon.Config;

/// <summary><c>GET|POST /1.0/config</c>: behind <c>amc config show|set</c>.</summary>
internal static class ConfigEndpoints
{
    public static IEndpointRouteBuilder MapConfig(this IEndpointRouteBuilder app)
    {
        app.MapGet(ManagementRoutes.Config, (ConfigStore config) => Envelope.Sync(ToContract(config.Current), ManagementJsonContext.Default.ConfigGet));
        app.MapPost(ManagementRoutes.Config, Set);
        return app;
    }

    private static async Task<IResult> Set(HttpRequest request, ConfigStore config, CancellationToken cancellationToken)
    {
        var body = await JsonBody.ReadAsync(request, ManagementJsonContext.Default.ConfigPost, null, cancellationToken);
        if (!body.Succeeded)
        {
            return Envelope.Error(body.Error!);
        }

        var result = await config.SetAsync(body.Value!.Name ?? "", body.Value.Value ?? "", cancellationToken);
        return result.Succeeded ? Envelope.Sync(ToContract(result.Value!), ManagementJsonContext.Default.ConfigGet) : Envelope.Error(result.Error!);
    }

    private static ConfigGet ToContract(AmsConfig config) => new() { Config = new SortedDictionary<string, string>(config.Values.ToDictionary(), StringComparer.Ordinal) };
}
