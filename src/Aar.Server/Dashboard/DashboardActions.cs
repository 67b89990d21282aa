using System.Globalization;
using Aar.Protocol.Enrolment;
using Aar.Protocol.Registry;
using Aar.Server.Dashboard.Views;
using Aar.Server.Enrolment;
using Aar.Server.Trust;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Aar.Server.Dashboard;

/// <summary>
/// The operator's actions, each the same call the admin socket makes (join tokens, remove, revoke), answered with a
/// page that says what happened. <see cref="SameOriginForm"/> has checked the request's origin and form token.
/// </summary>
internal static class DashboardActions
{
    public static async Task<IResult> CreateTokenAsync(HttpContext context, TokenService tokens, IAntiforgery antiforgery, DashboardOptions options, CancellationToken cancellationToken)
    {
        var form = await context.Request.ReadFormAsync(cancellationToken);
        var page = DashboardEndpoints.PageFor(context, antiforgery, options);
        var role = form["role"].ToString();
        if (!TrustRoleNames.TryParse(role, out var parsed) || !parsed.IsMachineRole())
        {
            return Message(page, "Token not created", "Choose the client or the publisher role.", StatusCodes.Status400BadRequest);
        }

        long? seconds = long.TryParse(form["expires"], NumberStyles.None, CultureInfo.InvariantCulture, out var value) ? value : null;
        var name = form["name"].ToString();
        var result = await tokens.CreateAsync(new CreateTokenRequest { Role = role, ExpiresInSeconds = seconds, Name = name.Length == 0 ? null : name }, cancellationToken);
        if (!result.Succeeded)
        {
            return Message(page, "Token not created", result.Problem!.Detail ?? result.Problem.Title, result.Problem.Status);
        }

        var created = result.Value!;
        return Message(page, "Join token created",
            $"Token {created.Entry.Id} enrols one AMS as {created.Entry.Role} until {Show.Time(created.Entry.ExpiresAt)} (addresses: {string.Join(", ", created.Addresses)}).",
            StatusCodes.Status200OK, command: $"amc registry join {created.Token}");
    }

    public static async Task<IResult> RemoveAsync(string fingerprint, HttpContext context, TrustStore trust, IAntiforgery antiforgery, DashboardOptions options, CancellationToken cancellationToken)
    {
        var page = DashboardEndpoints.PageFor(context, antiforgery, options);
        if (!trust.Current.Trusted.ContainsKey(fingerprint))
        {
            return NotTrusted(page, fingerprint);
        }

        var result = await trust.RemoveAsync(fingerprint, cancellationToken);
        return result.Succeeded
            ? Message(page, "Certificate removed", result.Value!.Message, StatusCodes.Status200OK)
            : Message(page, "Not removed", result.Problem!.Detail ?? result.Problem.Title, result.Problem.Status);
    }

    public static async Task<IResult> RevokeAsync(string fingerprint, HttpContext context, TrustStore trust, IAntiforgery antiforgery, DashboardOptions options, CancellationToken cancellationToken)
    {
        var form = await context.Request.ReadFormAsync(cancellationToken);
        var page = DashboardEndpoints.PageFor(context, antiforgery, options);
        // The exact fingerprint from the page, never a prefix: the typed name confirms this one certificate.
        if (!trust.Current.Trusted.TryGetValue(fingerprint, out var entry))
        {
            return NotTrusted(page, fingerprint);
        }

        if (!string.Equals(form["confirm"].ToString().Trim(), entry.Name, StringComparison.Ordinal))
        {
            return Message(page, "Not revoked", $"The name typed does not match '{entry.Name}'; nothing was revoked.", StatusCodes.Status400BadRequest);
        }

        var result = await trust.RevokeAsync(fingerprint, cancellationToken);
        return result.Succeeded
            ? Message(page, "Certificate revoked", result.Value!.Message, StatusCodes.Status200OK)
            : Message(page, "Not revoked", result.Problem!.Detail ?? result.Problem.Title, result.Problem.Status);
    }

    public static IResult Message(Page page, string heading, string message, int status, string? command = null) =>
        new RazorComponentResult<MessagePage>(new Dictionary<string, object?>
        {
            [nameof(MessagePage.Page)] = page,
            [nameof(MessagePage.Heading)] = heading,
            [nameof(MessagePage.Message)] = message,
            [nameof(MessagePage.Failed)] = status >= 400,
            [nameof(MessagePage.Command)] = command,
        })
        {
            StatusCode = status,
        };

    private static IResult NotTrusted(Page page, string fingerprint) =>
        Message(page, "Not trusted", $"No trusted certificate has the fingerprint {fingerprint}; it may have been removed or revoked already.", StatusCodes.Status404NotFound);
}
