using System.Globalization;
using Aar.Protocol;
using Aar.Protocol.Admin;
using Aar.Protocol.Registry;
using Aar.Protocol.Signing;
using Aar.Server.Access;
using Aar.Server.Applications;
using Aar.Server.Problems;
using Aar.Server.Trust;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Aar.Server.Signing;

/// <summary>
/// The signed index: the listing and the deletion records in DSSE envelopes signed per response, the key and its
/// rotations; on the admin socket, the same key, its rotation, and a signed listing to carry to an offline site.
/// </summary>
internal static class SigningEndpoints
{
    public static IEndpointRouteBuilder MapSigning(this IEndpointRouteBuilder app)
    {
        app.MapGet(RegistryRoutes.SignedApplications, SignedListing).AllowAnyTrustedCaller();
        app.MapGet(RegistryRoutes.SignedDeletions, SignedDeletionList).AllowAnyTrustedCaller();
        app.MapGet(RegistryRoutes.SigningKey, Key).AllowAnyTrustedCaller();
        app.MapGet(AdminRoutes.SigningKey, Key).AdminSocketOnly();
        app.MapPost(AdminRoutes.SigningKeyRotate, Rotate).AdminSocketOnly();
        app.MapGet(AdminRoutes.SignedApplications, SignedListing).AdminSocketOnly();
        return app;
    }

    /// <summary>
    /// The listing of <c>GET /1.0/applications</c>, signed. An unchanged generation answers 304 exactly as there (no
    /// listing read, no signature); a 200 is signed for this response, with the query and the expiry inside.
    /// </summary>
    private static async Task<IResult> SignedListing(string? architecture, string? tags, HttpContext context, ApplicationCatalog catalog, ApplicationQueries queries, ClientActivity clients, SigningKeys keys, TimeProvider time, CancellationToken cancellationToken)
    {
        if (await ApplicationEndpoints.NotModifiedAsync(context, queries, clients, cancellationToken) is { } notModified)
        {
            return notModified;
        }

        var state = await keys.CurrentAsync(cancellationToken);
        if (state.Signer is not { } signer)
        {
            return ProblemResponses.Result(SigningKeys.NotSigningProblem(state.Problem!));
        }

        var result = await catalog.ListAsync(architecture, tags, cancellationToken);
        if (!result.Succeeded)
        {
            return ProblemResponses.Result(result.Problem!);
        }

        var listing = result.Value!;
        var now = time.GetUtcNow();
        var payload = new SignedApplications
        {
            Generation = listing.Generation,
            IssuedAt = now,
            ExpiresAt = now + keys.ListingValidity,
            Architecture = architecture,
            Tags = TagSet(tags),
            Applications = listing.Applications,
        };
        ApplicationEndpoints.Listed(context, clients, listing.Generation);
        return Results.Json(SignedEnvelope.Sign(SignedApplications.PayloadType, payload, ProtocolJsonContext.Default.SignedApplications, signer), ProtocolJsonContext.Default.SignedEnvelope);
    }

    private static async Task<IResult> SignedDeletionList(string? since, HttpContext context, ApplicationQueries queries, SigningKeys keys, TimeProvider time, CancellationToken cancellationToken)
    {
        if (ApplicationEndpoints.ParseSince(since, out var from) is { } invalid)
        {
            return ProblemResponses.Result(invalid);
        }

        var state = await keys.CurrentAsync(cancellationToken);
        if (state.Signer is not { } signer)
        {
            return ProblemResponses.Result(SigningKeys.NotSigningProblem(state.Problem!));
        }

        var listing = await queries.DeletionsSinceAsync(from, cancellationToken);
        var now = time.GetUtcNow();
        var payload = new SignedDeletions
        {
            Generation = listing.Generation,
            Since = listing.Since,
            IssuedAt = now,
            ExpiresAt = now + keys.ListingValidity,
            Deletions = listing.Deletions,
        };
        context.Response.Headers[RegistryRoutes.GenerationHeader] = listing.Generation.ToString(CultureInfo.InvariantCulture);
        return Results.Json(SignedEnvelope.Sign(SignedDeletions.PayloadType, payload, ProtocolJsonContext.Default.SignedDeletions, signer), ProtocolJsonContext.Default.SignedEnvelope);
    }

    /// <summary>The database's key and rotations: the same on every node, whether or not this node can sign.</summary>
    private static async Task<IResult> Key(SigningKeys keys, CancellationToken cancellationToken) =>
        await keys.InfoAsync(cancellationToken) is { } info
            ? Results.Json(info, ProtocolJsonContext.Default.SigningKeyInfo)
            : ProblemResponses.Result(SigningKeys.NotSigningProblem("The registry has no signing key yet; it is created when the registry first starts."));

    private static async Task<IResult> Rotate(SigningKeys keys, CancellationToken cancellationToken) =>
        ProblemResponses.Result(await keys.RotateAsync(cancellationToken), info => Results.Json(info, ProtocolJsonContext.Default.SigningKeyInfo));

    /// <summary>The tags filter as the signed payload states it: distinct, ordinal order, null when there is none.</summary>
    private static List<string>? TagSet(string? tags) =>
        (tags ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList() is { Count: > 0 } set ? set : null;
}
