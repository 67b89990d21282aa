using System.Globalization;
using System.Text.Json;
using Aar.Protocol;
using Aar.Protocol.Http;
using Aar.Protocol.Registry;
using Aar.Server.Access;
using Aar.Server.Problems;
using Aar.Server.Trust;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Aar.Server.Applications;

/// <summary>
/// <c>/1.0/applications</c> and <c>/1.0/deletions</c>: the listing pollers read (generation + ETag, 304 when
/// unchanged), one application or version, publishing a version, and deleting (owner only).
/// </summary>
internal static class ApplicationEndpoints
{
    public static IEndpointRouteBuilder MapApplications(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup(RegistryRoutes.Applications).AllowAnyTrustedCaller();
        group.MapGet("/", List);
        group.MapGet("/{name}/{architecture}", Get);
        group.MapDelete("/{name}/{architecture}", DeleteApplication).RequirePublisher();
        group.MapGet("/{name}/{architecture}/versions/{version}", GetVersion);
        group.MapPut("/{name}/{architecture}/versions/{version}", Create).RequirePublisher();
        group.MapDelete("/{name}/{architecture}/versions/{version}", DeleteVersion).RequirePublisher();
        app.MapGroup(RegistryRoutes.Deletions).AllowAnyTrustedCaller().MapGet("/", Deletions);
        return app;
    }

    /// <summary>
    /// The poller's call. The generation changes with every write, so it is the ETag: an unchanged registry answers
    /// 304 after one single-row query (on a shared database: from the node's memory, no query), however many
    /// versions it holds.
    /// </summary>
    public static async Task<IResult> List(string? architecture, string? tags, HttpContext context, ApplicationCatalog catalog, ApplicationQueries queries, ClientActivity clients, CancellationToken cancellationToken)
    {
        if (await NotModifiedAsync(context, queries, clients, cancellationToken) is { } notModified)
        {
            return notModified;
        }

        var result = await catalog.ListAsync(architecture, tags, cancellationToken);
        if (!result.Succeeded)
        {
            return ProblemResponses.Result(result.Problem!);
        }

        Listed(context, clients, result.Value!.Generation);
        return Results.Json(result.Value, ProtocolJsonContext.Default.ApplicationListing);
    }

    /// <summary>
    /// The 304 of a listing asked with the current generation in <c>If-None-Match</c> (<see cref="ApplicationQueries.GenerationAsync(CancellationToken)"/>), or null
    /// when the caller must build the listing. Shared by every form of the listing (plain and signed).
    /// </summary>
    internal static async Task<IResult?> NotModifiedAsync(HttpContext context, ApplicationQueries queries, ClientActivity clients, CancellationToken cancellationToken)
    {
        var ifNoneMatch = context.Request.Headers.IfNoneMatch.ToString();
        if (ifNoneMatch.Length == 0)
        {
            return null;
        }

        var generation = await queries.GenerationAsync(cancellationToken);
        if (!Matches(ifNoneMatch, ETag(generation)))
        {
            return null;
        }

        Listed(context, clients, generation);
        return Results.StatusCode(StatusCodes.Status304NotModified);
    }

    /// <summary>The listing's ETag and generation headers, and the client's bookkeeping: it is up to date with <paramref name="generation"/>.</summary>
    internal static void Listed(HttpContext context, ClientActivity clients, long generation)
    {
        SetListingHeaders(context, generation);
        Fetched(context, clients, generation);
    }

    /// <summary>A TLS client is now up to date with <paramref name="generation"/> (the admin socket's listing has no caller).</summary>
    private static void Fetched(HttpContext context, ClientActivity clients, long generation)
    {
        if (context.Features.Get<CallerIdentity>() is { } caller)
        {
            clients.Fetched(caller.Fingerprint, generation);
        }
    }

    private static async Task<IResult> Get(string name, string architecture, ApplicationCatalog catalog, CancellationToken cancellationToken) =>
        ProblemResponses.Result(await catalog.GetAsync(name, architecture, cancellationToken), a => Results.Json(a, ProtocolJsonContext.Default.ApplicationRecord));

    private static async Task<IResult> GetVersion(string name, string architecture, string version, ApplicationCatalog catalog, CancellationToken cancellationToken) =>
        ProblemResponses.Result(await catalog.GetVersionAsync(name, architecture, version, cancellationToken), v => Results.Json(v, ProtocolJsonContext.Default.ApplicationVersion));

    private static async Task<IResult> Create(string name, string architecture, string version, HttpContext context, ApplicationCatalog catalog, CancellationToken cancellationToken)
    {
        CreateVersionRequest? request;
        try
        {
            request = await JsonSerializer.DeserializeAsync(context.Request.Body, ProtocolJsonContext.Default.CreateVersionRequest, cancellationToken);
        }
        catch (JsonException ex)
        {
            return ProblemResponses.Result(new Problem { Type = ProblemTypes.InvalidRequest, Title = "Invalid request body", Status = 400, Detail = $"The body is not a valid version request ({ex.Message}); send JSON with digest, size, and optionally manifest and tags." });
        }

        if (request is null)
        {
            return ProblemResponses.Result(new Problem { Type = ProblemTypes.InvalidRequest, Title = "Invalid request body", Status = 400, Detail = "The body is empty; send JSON with digest, size, and optionally manifest and tags." });
        }

        var result = await catalog.CreateVersionAsync(name, architecture, version, request, context.Caller().Fingerprint, cancellationToken);
        return ProblemResponses.Result(result, created =>
        {
            if (created.Created)
            {
                context.Response.Headers.Location = RegistryRoutes.Version(name, architecture, created.Version.Version);
            }

            return Results.Json(created.Version, ProtocolJsonContext.Default.ApplicationVersion, statusCode: created.Created ? StatusCodes.Status201Created : StatusCodes.Status200OK);
        });
    }

    private static async Task<IResult> DeleteVersion(string name, string architecture, string version, HttpContext context, ApplicationCatalog catalog, CancellationToken cancellationToken) =>
        ProblemResponses.Result(await catalog.DeleteAsync(name, architecture, version, context.Caller().Fingerprint, cancellationToken), d => Results.Json(d, ProtocolJsonContext.Default.DeletionRecord));

    private static async Task<IResult> DeleteApplication(string name, string architecture, HttpContext context, ApplicationCatalog catalog, CancellationToken cancellationToken) =>
        ProblemResponses.Result(await catalog.DeleteAsync(name, architecture, null, context.Caller().Fingerprint, cancellationToken), d => Results.Json(d, ProtocolJsonContext.Default.DeletionRecord));

    private static async Task<IResult> Deletions(string? since, HttpContext context, ApplicationQueries queries, CancellationToken cancellationToken)
    {
        if (ParseSince(since, out var from) is { } invalid)
        {
            return ProblemResponses.Result(invalid);
        }

        var listing = await queries.DeletionsSinceAsync(from, cancellationToken);
        context.Response.Headers[RegistryRoutes.GenerationHeader] = listing.Generation.ToString(CultureInfo.InvariantCulture);
        return Results.Json(listing, ProtocolJsonContext.Default.DeletionListing);
    }

    /// <summary>The <c>since</c> of a deletion query: absent is 0; anything but a generation number is a 400 problem.</summary>
    internal static Problem? ParseSince(string? since, out long from)
    {
        from = 0;
        return since is not null && !long.TryParse(since, NumberStyles.None, CultureInfo.InvariantCulture, out from)
            ? new Problem { Type = ProblemTypes.InvalidRequest, Title = "Invalid generation", Status = 400, Detail = $"since '{since}' is not a generation number (0 or more)." }
            : null;
    }

    private static string ETag(long generation) => $"\"{generation.ToString(CultureInfo.InvariantCulture)}\"";

    private static bool Matches(string ifNoneMatch, string etag) =>
        ifNoneMatch.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
            .Any(candidate => candidate == "*" || candidate == etag || candidate == "W/" + etag);

    private static void SetListingHeaders(HttpContext context, long generation)
    {
        context.Response.Headers.ETag = ETag(generation);
        context.Response.Headers[RegistryRoutes.GenerationHeader] = generation.ToString(CultureInfo.InvariantCulture);
    }
}
