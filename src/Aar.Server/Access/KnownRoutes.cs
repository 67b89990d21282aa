using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Routing.Template;

namespace Aar.Server.Access;

/// <summary>
/// The declared routes, for telling "no such route" (404) from "another method" (405) once routing found nothing.
/// Only routes of the caller's side count (admin routes on the socket, the others over TLS), so a 405 and its
/// <c>Allow</c> header never reveal an admin route to a TLS caller.
/// </summary>
internal sealed class KnownRoutes(IEnumerable<EndpointDataSource> sources)
{
    private readonly Lazy<IReadOnlyList<Route>> _routes = new(() => Build(sources));

    /// <summary>The methods routes of this side accept at <paramref name="path"/>, sorted; empty when none matches.</summary>
    public IReadOnlyList<string> AllowedMethods(PathString path, bool adminSide)
    {
        var allowed = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var route in _routes.Value)
        {
            if (route.AdminSide == adminSide && route.Matcher.TryMatch(path, []))
            {
                allowed.UnionWith(route.Methods);
            }
        }

        return [.. allowed];
    }

    private static List<Route> Build(IEnumerable<EndpointDataSource> sources) =>
        [.. sources.SelectMany(source => source.Endpoints).OfType<RouteEndpoint>()
            .Select(endpoint => (endpoint, rule: endpoint.Metadata.GetMetadata<AccessRule>()))
            .Where(e => e.rule is not null && e.rule.Kind != AccessKind.UnmatchedRoute)
            .Select(e => new Route(
                new TemplateMatcher(new RouteTemplate(e.endpoint.RoutePattern), new RouteValueDictionary(e.endpoint.RoutePattern.Defaults)),
                e.endpoint.Metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods ?? [],
                e.rule!.Kind == AccessKind.AdminSocketOnly))];

    private sealed record Route(TemplateMatcher Matcher, IReadOnlyList<string> Methods, bool AdminSide);
}
