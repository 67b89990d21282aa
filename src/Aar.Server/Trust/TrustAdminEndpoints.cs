using Aar.Protocol;
using Aar.Protocol.Admin;
using Aar.Server.Access;
using Aar.Server.Problems;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Aar.Server.Trust;

/// <summary>The admin API behind <c>aar trust …</c>, reachable only on the unix socket.</summary>
internal static class TrustAdminEndpoints
{
    public static IEndpointRouteBuilder MapTrustAdmin(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup(AdminRoutes.Trust).AdminSocketOnly();
        group.MapGet("/", ListTrusted);
        group.MapGet("/revoked", ListRevoked);
        group.MapPost("/", Add);
        group.MapDelete("/{prefix}", Remove);
        group.MapPost("/{prefix}/revoke", Revoke);
        return app;
    }

    private static IResult ListTrusted(TrustStore trust) =>
        Results.Json(
            trust.Current.Trusted.Values.OrderBy(e => e.AddedAt).ThenBy(e => e.Fingerprint, StringComparer.Ordinal).Select(e => e.ToContract()).ToList(),
            ProtocolJsonContext.Default.ListTrustEntry);

    private static IResult ListRevoked(TrustStore trust) =>
        Results.Json(
            trust.Current.Revoked.Values.OrderBy(e => e.RevokedAt).ThenBy(e => e.Fingerprint, StringComparer.Ordinal).ToList(),
            ProtocolJsonContext.Default.ListRevokedEntry);

    private static async Task<IResult> Add(AddTrustRequest request, TrustStore trust, CancellationToken cancellationToken) =>
        ProblemResponses.Result(await trust.AddAsync(request, cancellationToken), change =>
            Results.Json(change, ProtocolJsonContext.Default.TrustChange, statusCode: change.Changed ? StatusCodes.Status201Created : StatusCodes.Status200OK));

    private static async Task<IResult> Remove(string prefix, TrustStore trust, CancellationToken cancellationToken) =>
        ProblemResponses.Result(await trust.RemoveAsync(prefix, cancellationToken), change => Results.Json(change, ProtocolJsonContext.Default.TrustChange));

    private static async Task<IResult> Revoke(string prefix, TrustStore trust, CancellationToken cancellationToken) =>
        ProblemResponses.Result(await trust.RevokeAsync(prefix, cancellationToken), change => Results.Json(change, ProtocolJsonContext.Default.TrustChange));
}
