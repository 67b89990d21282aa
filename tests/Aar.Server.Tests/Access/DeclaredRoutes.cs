using Aar.Server.Access;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Routing.Patterns;
using Microsoft.Extensions.DependencyInjection;
using TestSupport;

namespace Aar.Server.Tests.Access;

/// <summary>A route as the running server declares it: each method, its pattern as a path, and its access rule.</summary>
internal sealed record DeclaredRoute(string Method, string Pattern, AccessKind? Rule, RouteEndpoint Endpoint)
{
    /// <summary>Every method of every route endpoint in the running server's endpoint data source.</summary>
    public static List<DeclaredRoute> Of(RegistryTestServer server) =>
        [.. server.Host.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .SelectMany(e => (e.Metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods ?? ["*"])
                .Select(method => new DeclaredRoute(method, PathOf(e.RoutePattern, name => "{" + name + "}"), e.Metadata.GetMetadata<AccessRule>()?.Kind, e)))];

    /// <summary>The pattern as a request path, each parameter replaced by <paramref name="value"/>(its name).</summary>
    public string PathWith(Func<string, string> value) => PathOf(Endpoint.RoutePattern, value);

    private static string PathOf(RoutePattern pattern, Func<string, string> value) =>
        "/" + string.Join("/", pattern.PathSegments.Select(segment => string.Concat(segment.Parts.Select(part => part switch
        {
            RoutePatternLiteralPart literal => literal.Content,
            RoutePatternParameterPart parameter => value(parameter.Name),
            RoutePatternSeparatorPart separator => separator.Content,
            _ => throw new InvalidOperationException($"Unexpected route part {part}."),
        }))));
}
