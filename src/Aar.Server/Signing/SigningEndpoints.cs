using System.Globalization;
using Aar.Protocol;
using Aar.Protocol.Admin;
using Aar.Protocol.Http;
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
    /// listing read, no signature); a 200 is signed with the query and the expiry inside, and the same bytes
    /// answer every request for that generation and query for a while (<see cref="SignedListingCache"/>).
    /// </summary>
    private static async Task<IResult> SignedListing(string? architecture, string? tags, HttpContext context, ApplicationCatalog catalog, ApplicationQueries queries, ClientActivity clients, SigningKeys keys, SignedListingCache cache, TimeProvider time, CancellationToken cancellationToken)
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

        Problem? problem = null;
        var key = new ListingKey(await queries.GenerationAsync(cancellationToken), architecture, tags, signer.PublicKey.KeyId);
        // Not the request's token: the signing is shared with other requests, which must not fail if this one goes.
        var signed = await cache.GetOrSignAsync(key, async () =>
        {
            var result = await catalog.ListAsync(architecture, tags, CancellationToken.None);
            if (!result.Succeeded)
            {
                problem = result.Problem;
                return null;
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
            return new SignedListing(SignedEnvelope.SignToUtf8(SignedApplications.PayloadType, payload, ProtocolJsonContext.Default.SignedApplications, signer), listing.Generation, now,
                Reusable: !listing.Applications.Any(a => a.Versions.Any(v => v.BlobMissing == true)));
        });
        if (signed is null)
        {
            // Only the request that ran the listing knows its problem; one that waited on it answers the same way.
            return ProblemResponses.Result(problem ?? new Problem { Type = "about:blank", Title = "Listing unavailable", Status = StatusCodes.Status503ServiceUnavailable, Detail = "The listing could not be built; try again." });
        }

        ApplicationEndpoints.Listed(context, clients, signed.Generation);
        return Results.Bytes(signed.Envelope, "application/json; charset=utf-8");
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
