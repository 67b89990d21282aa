using Aar.Server.Access;
using Aar.Server.Dashboard.Views;
using Aar.Server.Problems;
using Aar.Server.Trust;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;

namespace Aar.Server.Dashboard;

/// <summary>
/// The dashboard under <see cref="Prefix"/> on the registry's mTLS port: pages for viewer and operator certificates,
/// actions (POST, same origin, anti-forgery token) for operators. Rendered on the server with Razor components; the
/// page script only re-fetches <c>/ui/live</c> to refresh the numbers in place.
/// </summary>
internal static class DashboardEndpoints
{
    public const string Prefix = "/ui";

    public static IEndpointRouteBuilder MapDashboard(this IEndpointRouteBuilder app)
    {
        var pages = app.MapGroup(Prefix).RequireViewer().AddEndpointFilter(SecurityHeaders);
        pages.MapGet("/", Home);
        pages.MapGet("/live", Live);
        pages.MapGet("/certificates/{fingerprint}", Certificate);
        pages.MapGet("/assets/{file}", DashboardAssets.Serve);
        // Any other path under the prefix: a 404 for viewers, and the same 403 as every dashboard path for anyone else.
        pages.MapGet("/{**rest}", static (HttpContext context) => ProblemResponses.Result(ProblemResponses.NotFound(context)));

        var actions = app.MapGroup(Prefix).RequireOperator().AddEndpointFilter(SecurityHeaders).AddEndpointFilter(SameOriginForm.CheckAsync);
        actions.MapPost("/tokens", DashboardActions.CreateTokenAsync);
        actions.MapPost("/certificates/{fingerprint}/remove", DashboardActions.RemoveAsync);
        actions.MapPost("/certificates/{fingerprint}/revoke", DashboardActions.RevokeAsync);
        return app;
    }

    /// <summary>The page's frame for the caller: name, role and a fresh anti-forgery token (its cookie is set with it).</summary>
    public static Page PageFor(HttpContext context, IAntiforgery antiforgery, DashboardOptions options)
    {
        var caller = context.Caller();
        var tokens = antiforgery.GetAndStoreTokens(context);
        return new Page(caller.Name, caller.Role, tokens.FormFieldName, tokens.RequestToken ?? "", (long)options.RefreshInterval.TotalMilliseconds);
    }

    private static async Task<RazorComponentResult<DashboardPage>> Home(HttpContext context, DashboardQueries queries, IAntiforgery antiforgery, DashboardOptions options, CancellationToken cancellationToken)
    {
        var view = await queries.ReadAsync(cancellationToken);
        return new RazorComponentResult<DashboardPage>(new Dictionary<string, object?>
        {
            [nameof(DashboardPage.Page)] = PageFor(context, antiforgery, options),
            [nameof(DashboardPage.View)] = view,
            [nameof(DashboardPage.Names)] = (Func<string, string>)queries.NameOf,
        });
    }

    private static async Task<RazorComponentResult<LiveSections>> Live(DashboardQueries queries, CancellationToken cancellationToken)
    {
        var view = await queries.ReadAsync(cancellationToken);
        return new RazorComponentResult<LiveSections>(new Dictionary<string, object?>
        {
            [nameof(LiveSections.View)] = view,
            [nameof(LiveSections.Names)] = (Func<string, string>)queries.NameOf,
        });
    }

    private static async Task<IResult> Certificate(string fingerprint, HttpContext context, DashboardQueries queries, IAntiforgery antiforgery, DashboardOptions options, CancellationToken cancellationToken)
    {
        var view = await queries.ReadAsync(cancellationToken);
        var row = view.Trusted.FirstOrDefault(r => string.Equals(r.Fingerprint, fingerprint, StringComparison.Ordinal));
        var page = PageFor(context, antiforgery, options);
        if (row is null)
        {
            return DashboardActions.Message(page, "Not trusted", $"No trusted certificate has the fingerprint {fingerprint}; it may have been removed or revoked.", StatusCodes.Status404NotFound);
        }

        return new RazorComponentResult<CertificatePage>(new Dictionary<string, object?>
        {
            [nameof(CertificatePage.Page)] = page,
            [nameof(CertificatePage.Row)] = row,
        });
    }

    /// <summary>
    /// Nothing but our own files (no inline script or style, no CDN), never framed, never cached (the pages carry
    /// tokens and current numbers).
    /// </summary>
    private static async ValueTask<object?> SecurityHeaders(EndpointFilterInvocationContext invocation, EndpointFilterDelegate next)
    {
        var headers = invocation.HttpContext.Response.Headers;
        headers.ContentSecurityPolicy = "default-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'";
        headers.XContentTypeOptions = "nosniff";
        headers["Referrer-Policy"] = "same-origin";
        var result = await next(invocation);
        if (string.IsNullOrEmpty(headers.CacheControl))
        {
            // After the handler: pages with a form token already got antiforgery's own no-cache, no-store.
            headers.CacheControl = "no-store";
        }

        return result;
    }
}
