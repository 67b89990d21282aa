using Aar.Protocol;
using Aar.Protocol.Enrolment;
using Aar.Protocol.Registry;
using Aar.Server.Access;
using Aar.Server.Problems;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Aar.Server.Enrolment;

/// <summary><c>POST /1.0/enrol</c> on the TLS side, and the token admin routes on the unix socket.</summary>
internal static class EnrolmentEndpoints
{
    public const string EnrolPath = "/" + ApiVersions.Current + "/enrol";
    public const string TokensPath = Protocol.Admin.AdminRoutes.Tokens;

    public static IEndpointRouteBuilder MapEnrolment(this IEndpointRouteBuilder app)
    {
        app.MapPost(EnrolPath, Enrol).AllowUnenrolled().RequireRateLimiting(EnrolmentRateLimit.Policy);
        var tokens = app.MapGroup(TokensPath).AdminSocketOnly();
        tokens.MapGet("/", async (TokenService service, CancellationToken cancellationToken) =>
            Results.Json(await service.ListAsync(cancellationToken), ProtocolJsonContext.Default.ListTokenEntry));
        tokens.MapPost("/", async (CreateTokenRequest request, TokenService service, CancellationToken cancellationToken) =>
            ProblemResponses.Result(await service.CreateAsync(request, cancellationToken), created =>
                Results.Json(created, ProtocolJsonContext.Default.CreatedToken, statusCode: StatusCodes.Status201Created)));
        tokens.MapDelete("/{id}", async (string id, TokenService service, CancellationToken cancellationToken) =>
            ProblemResponses.Result(await service.DeleteAsync(id, cancellationToken), _ => Results.NoContent()));
        return app;
    }

    private static async Task<IResult> Enrol(EnrolRequest request, HttpContext context, TokenService service, CancellationToken cancellationToken) =>
        ProblemResponses.Result(
            await service.RedeemAsync(request, context.Connection.ClientCertificate!, cancellationToken),
            enrolled => Results.Json(enrolled, ProtocolJsonContext.Default.EnrolResponse));
}
