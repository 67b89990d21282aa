using Aar.Protocol.Http;
using Aar.Server.Problems;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Aar.Server.Dashboard;

/// <summary>
/// Guards the dashboard's actions against cross-site requests, twice: the browser's <c>Origin</c> must be this very
/// origin (browsers send it on every POST, and a page elsewhere cannot forge it), and the form must carry the
/// anti-forgery token that matches the caller's cookie (ASP.NET Core antiforgery). The client certificate alone is
/// no defence: a browser presents it to this registry whichever site made it send the request.
/// </summary>
internal static class SameOriginForm
{
    public static async ValueTask<object?> CheckAsync(EndpointFilterInvocationContext invocation, EndpointFilterDelegate next)
    {
        var context = invocation.HttpContext;
        var expected = $"{context.Request.Scheme}://{context.Request.Host.Value}";
        var origin = context.Request.Headers.Origin.ToString();
        if (!string.Equals(origin, expected, StringComparison.OrdinalIgnoreCase))
        {
            return Refuse(origin.Length == 0
                ? "The request has no Origin header; dashboard actions are accepted only from the dashboard's own pages."
                : "The request came from another site; dashboard actions are accepted only from the dashboard's own pages.");
        }

        if (!context.Request.HasFormContentType || !await context.RequestServices.GetRequiredService<IAntiforgery>().IsRequestValidAsync(context))
        {
            return Refuse("The form's anti-forgery token is missing or does not match; reload the dashboard and try again.");
        }

        return await next(invocation);
    }

    private static IResult Refuse(string detail) =>
        ProblemResponses.Result(new Problem
        {
            Type = ProblemTypes.CrossSiteRequest,
            Title = "Cross-site request refused",
            Status = StatusCodes.Status403Forbidden,
            Detail = detail,
        });
}
