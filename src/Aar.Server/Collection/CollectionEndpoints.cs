using Aar.Protocol;
using Aar.Protocol.Admin;
using Aar.Server.Access;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Aar.Server.Collection;

/// <summary><c>aar storage scrub</c>, on the admin unix socket only.</summary>
internal static class CollectionEndpoints
{
    public static IEndpointRouteBuilder MapCollection(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup(AdminRoutes.Prefix).AdminSocketOnly();
        group.MapPost(AdminRoutes.Scrub[AdminRoutes.Prefix.Length..], async (BlobScrubber scrubber, CancellationToken cancellationToken) =>
            Results.Json(await scrubber.ScrubAsync(cancellationToken), ProtocolJsonContext.Default.ScrubReport));
        return app;
    }
}
