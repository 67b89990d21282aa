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

    /// <summary>
    /// Gives a problem body to errors the framework answers without one (a body that does not bind, a wrong method,
    /// a body over the size limit), so every error a client sees is problem+json.
    /// </summary>
    public static Task WriteBodylessErrorAsync(HttpContext context)
    {
        var status = context.Response.StatusCode;
        var (type, title, detail) = status switch
        {
            StatusCodes.Status400BadRequest => (ProblemTypes.InvalidRequest, "Invalid request", "The request body or parameters are not valid for this route (a JSON body with the documented fields); see docs/api.md."),
            StatusCodes.Status404NotFound => (ProblemTypes.NotFound, "Not found", $"There is no {context.Request.Method} {context.Request.Path}; see docs/api.md for the routes."),
            StatusCodes.Status405MethodNotAllowed => (ProblemTypes.MethodNotAllowed, "Method not allowed", $"{context.Request.Method} is not allowed on {context.Request.Path}; see docs/api.md."),
            StatusCodes.Status413PayloadTooLarge => (ProblemTypes.BodyTooLarge, "Body too large", "The request body is larger than this route accepts."),
            StatusCodes.Status416RangeNotSatisfiable => (ProblemTypes.RangeNotSatisfiable, "Range not satisfiable", "The requested range lies outside the blob; the Content-Range header (bytes */size) gives its size."),
            StatusCodes.Status415UnsupportedMediaType => (ProblemTypes.InvalidRequest, "Unsupported media type", "Send the body as application/json."),
            _ => (ProblemTypes.Internal, "Error", $"The request failed with status {status}."),
        };
        return WriteAsync(context, new Problem { Type = type, Title = title, Status = status, Detail = detail });
    }

    public static Problem NotFound(HttpContext context) => new()
    {
        Type = ProblemTypes.NotFound,
        Title = "Not found",
        Status = StatusCodes.Status404NotFound,
        Detail = $"There is no {context.Request.Method} {context.Request.Path}; see docs/api.md for the routes.",
    };

    public static Problem MethodNotAllowed(HttpContext context, IReadOnlyList<string> allowed) => new()
    {
        Type = ProblemTypes.MethodNotAllowed,
        Title = "Method not allowed",
        Status = StatusCodes.Status405MethodNotAllowed,
        Detail = $"{context.Request.Method} is not allowed on {context.Request.Path}; it accepts {string.Join(", ", allowed)} (see docs/api.md).",
    };
}
