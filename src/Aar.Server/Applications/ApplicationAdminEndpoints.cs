using Aar.Protocol;
using Aar.Protocol.Admin;
using Aar.Server.Access;
using Aar.Server.Problems;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Aar.Server.Applications;

/// <summary>
/// The operator's view behind <c>aar application …</c>, on the admin unix socket only: the same listing, every
/// architecture of a name, and deletes that ignore ownership (the operator may remove anything).
/// </summary>
internal static class ApplicationAdminEndpoints
{
    public static IEndpointRouteBuilder MapApplicationsAdmin(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup(AdminRoutes.Applications).AdminSocketOnly();
        group.MapGet("/", ApplicationEndpoints.List);
        group.MapGet("/{name}", GetAllArchitectures);
        group.MapGet("/{name}/{architecture}", Get);
        group.MapDelete("/{name}/{architecture}", (string name, string architecture, ApplicationCatalog catalog, CancellationToken cancellationToken) => Delete(name, architecture, null, catalog, cancellationToken));
        group.MapDelete("/{name}/{architecture}/versions/{version}", Delete);
        return app;
    }

    private static async Task<IResult> GetAllArchitectures(string name, ApplicationQueries queries, CancellationToken cancellationToken)
    {
        if (NameRules.CheckName(name) is { } invalid)
        {
            return ProblemResponses.Result(invalid);
        }

        var found = await queries.GetAllArchitecturesAsync(name, cancellationToken);
        return found.Count == 0
            ? ProblemResponses.Result(ApplicationProblems.NotFound(name, "any architecture"))
            : Results.Json(found, ProtocolJsonContext.Default.ListApplicationRecord);
    }

    private static async Task<IResult> Get(string name, string architecture, ApplicationCatalog catalog, CancellationToken cancellationToken) =>
        ProblemResponses.Result(await catalog.GetAsync(name, architecture, cancellationToken), a => Results.Json(a, ProtocolJsonContext.Default.ApplicationRecord));

    private static async Task<IResult> Delete(string name, string architecture, string? version, ApplicationCatalog catalog, CancellationToken cancellationToken) =>
        ProblemResponses.Result(await catalog.DeleteAsync(name, architecture, version, caller: null, cancellationToken), d => Results.Json(d, ProtocolJsonContext.Default.DeletionRecord));
}
