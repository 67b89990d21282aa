using Aar.Protocol.Management;
using Ams.Daemon.Api;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Ams.Daemon.Applications;

/// <summary><c>/1.0/applications</c>: behind <c>amc application …</c> and <c>amc wait</c>.</summary>
internal static class ApplicationEndpoints
{
    private static readonly ManagementJsonContext Json = ManagementJsonContext.Default;

    public static IEndpointRouteBuilder MapApplications(this IEndpointRouteBuilder app)
    {
        app.MapGet(ManagementRoutes.Applications, List);
        app.MapPost(ManagementRoutes.Applications, (HttpContext context, PackageUploads uploads, CancellationToken cancellationToken) => uploads.AcceptAsync(context, null, cancellationToken));
        app.MapGet(ManagementRoutes.Applications + "/{application}", Get);
        app.MapPatch(ManagementRoutes.Applications + "/{application}", (string application, HttpContext context, PackageUploads uploads, CancellationToken cancellationToken) => uploads.AcceptAsync(context, application, cancellationToken));
        app.MapDelete(ManagementRoutes.Applications + "/{application}", Delete);
        app.MapPatch(ManagementRoutes.Applications + "/{application}/{version:int}", Publish);
        app.MapDelete(ManagementRoutes.Applications + "/{application}/{version:int}", DeleteVersion);
        return app;
    }

    private static async Task<IResult> List(HttpRequest request, ApplicationCatalog applications, CancellationToken cancellationToken)
    {
        var filter = ApplicationFilter.Parse(request.Query);
        if (!filter.Succeeded)
        {
            return Envelope.Error(filter.Error!);
        }

        var all = await applications.ListAsync(cancellationToken);
        return Envelope.Sync(all.Select(a => a.ToContract(applications.Architecture)).Where(filter.Value!).ToList(), Json.ListApplicationInfo);
    }

    /// <summary>An application with the registry versions of its name this AMS refused, so <c>amc application show</c> says why.</summary>
    private static async Task<IResult> Get(string application, ApplicationCatalog applications, RejectedVersions rejected, CancellationToken cancellationToken)
    {
        var found = await applications.GetAsync(application, cancellationToken);
        var refused = await rejected.ListAsync(found.Value?.Name ?? application, cancellationToken);
        if (refused.Count == 0)
        {
            return Contract(found, applications);
        }

        if (!found.Succeeded)
        {
            var reasons = string.Join("; ", refused.Select(r => $"version {r.Version} ({r.Digest}): {r.Reason}"));
            return Envelope.Error(ApiProblem.NotFound($"Application '{application}' is not on this AMS: the registry's versions of it were rejected: {reasons}. They are not downloaded again while the registry serves the same digest; 'amc registry retry {application}' tries again now."));
        }

        return Envelope.Sync(found.Value!.ToContract(applications.Architecture) with { Rejected = refused }, Json.ApplicationInfo);
    }

    private static async Task<IResult> Publish(string application, int version, HttpRequest request, ApplicationCatalog applications, CancellationToken cancellationToken)
    {
        var body = await JsonBody.ReadAsync(request, Json.VersionPatch, null, cancellationToken);
        return body.Succeeded
            ? Contract(await applications.SetPublishedAsync(application, version, body.Value!.Published, cancellationToken), applications)
            : Envelope.Error(body.Error!);
    }

    private static async Task<IResult> Delete(string application, HttpRequest request, ApplicationCatalog applications, CancellationToken cancellationToken)
    {
        var body = await JsonBody.ReadAsync(request, Json.DeleteRequest, new DeleteRequest(), cancellationToken);
        return body.Succeeded
            ? Contract(await applications.DeleteAsync(application, body.Value!.Force, cancellationToken), applications)
            : Envelope.Error(body.Error!);
    }

    private static async Task<IResult> DeleteVersion(string application, int version, HttpRequest request, ApplicationCatalog applications, CancellationToken cancellationToken)
    {
        var body = await JsonBody.ReadAsync(request, Json.DeleteRequest, new DeleteRequest(), cancellationToken);
        return body.Succeeded
            ? Contract(await applications.DeleteVersionAsync(application, version, body.Value!.Force, cancellationToken), applications)
            : Envelope.Error(body.Error!);
    }

    private static IResult Contract(Result<LocalApplication> result, ApplicationCatalog applications) =>
        result.Succeeded ? Envelope.Sync(result.Value!.ToContract(applications.Architecture), Json.ApplicationInfo) : Envelope.Error(result.Error!);
}
