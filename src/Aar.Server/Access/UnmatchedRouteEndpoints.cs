using Aar.Server.Problems;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Aar.Server.Access;

/// <summary>
/// The catch-all that answers requests no route matched: 405 <c>method-not-allowed</c> with <c>Allow</c> when the
/// path is a route of the caller's side under other methods, else 404 <c>not-found</c>. A catch-all endpoint accepts
/// every method, so routing itself never produces a 405 here; this endpoint does it instead. Its pattern has no
/// <c>nonfile</c> constraint (unlike <c>MapFallback()</c>'s default), so a last segment with a dot, such as an
/// Android package name, also gets the 404 problem.
/// </summary>
internal static class UnmatchedRouteEndpoints
{
    public static IEndpointRouteBuilder MapUnmatchedRoutes(this IEndpointRouteBuilder app)
    {
        var known = new KnownRoutes(app.DataSources);
        app.MapFallback("{*path}", (HttpContext context) => Answer(context, known)).AnswersUnmatchedRoutes();
        return app;
    }

    private static IResult Answer(HttpContext context, KnownRoutes known)
    {
        var allowed = known.AllowedMethods(context.Request.Path, AdminConnection.IsAdmin(context));
        if (allowed.Count == 0 || allowed.Contains(context.Request.Method, StringComparer.OrdinalIgnoreCase))
        {
            return ProblemResponses.Result(ProblemResponses.NotFound(context));
        }

        context.Response.Headers.Allow = string.Join(", ", allowed);
        return ProblemResponses.Result(ProblemResponses.MethodNotAllowed(context, allowed));
    }
}
