using Aar.Protocol;
using Aar.Protocol.Http;
using Microsoft.AspNetCore.Http;

namespace Aar.Server.Problems;

/// <summary>Writes RFC 9457 problem+json bodies with our stable <c>type</c> slugs (docs/api.md).</summary>
internal static class ProblemResponses
{
    public static IResult Result(Problem problem) =>
        Results.Json(problem, ProtocolJsonContext.Default.Problem, ApiResponses.ProblemContentType, problem.Status);

    public static IResult Result<T>(ApiResult<T> result, Func<T, IResult> onSuccess) =>
        result.Succeeded ? onSuccess(result.Value!) : Result(result.Problem!);

    public static Task WriteAsync(HttpContext context, Problem problem)
    {
        context.Response.StatusCode = problem.Status;
        return context.Response.WriteAsJsonAsync(problem, ProtocolJsonContext.Default.Problem, ApiResponses.ProblemContentType, context.RequestAborted);
    }

    public static Problem NotFound(HttpContext context) => new()
    {
        Type = ProblemTypes.NotFound,
        Title = "Not found",
        Status = StatusCodes.Status404NotFound,
        Detail = $"There is no {context.Request.Method} {context.Request.Path}; see docs/api.md for the routes.",
    };
}
