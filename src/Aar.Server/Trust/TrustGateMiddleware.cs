using Aar.Protocol.Http;
using Aar.Protocol.Registry;
using Aar.Server.Access;
using Aar.Server.Problems;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Aar.Server.Trust;

/// <summary>
/// Runs after routing and decides from the <see cref="AccessRule"/> declared on the endpoint that matched, never from
/// the path string: routing matches paths case-insensitively and decoded, so any path comparison here could drift from
/// what is served. An endpoint without a rule is refused (default deny). Admin-socket requests may reach only
/// admin-socket endpoints (and the 404/405 answer); TLS requests never reach them, and are authorised against the
/// current trust snapshot on every request, because Kestrel validates a client certificate once per connection
/// (at the handshake): without this, a removed or revoked certificate would keep working on its open keep-alive or
/// HTTP/2 connection.
/// </summary>
internal sealed partial class TrustGateMiddleware(RequestDelegate next, TrustStore trust, TrustMetrics metrics, ClientActivity clients, ILogger<TrustGateMiddleware> logger)
{
    public Task InvokeAsync(HttpContext context) =>
        trust.IsCurrent ? GateAsync(context) : RefreshThenGateAsync(context);

    /// <summary>Another node changed the trust store (or its changes are not being followed): decide on fresh data.</summary>
    private async Task RefreshThenGateAsync(HttpContext context)
    {
        await trust.RefreshAsync(context.RequestAborted);
        await GateAsync(context);
    }

    private Task GateAsync(HttpContext context)
    {
        var endpoint = context.GetEndpoint();
        var rule = endpoint?.Metadata.GetMetadata<AccessRule>();
        if (rule is null)
        {
            // Default deny: a route someone forgot to declare does not exist for anyone (EndpointRuleTests catches it).
            Log.EndpointWithoutAccessRule(logger, endpoint?.DisplayName ?? "(none)", context.Request.Method, context.Request.Path);
            return ProblemResponses.WriteAsync(context, ProblemResponses.NotFound(context));
        }

        if (AdminConnection.IsAdmin(context))
        {
            return rule.Kind is AccessKind.AdminSocketOnly or AccessKind.UnmatchedRoute
                ? next(context)
                : ProblemResponses.WriteAsync(context, ProblemResponses.NotFound(context));
        }

        var certificate = context.Connection.ClientCertificate;
        if (certificate is null)
        {
            // Unreachable with ClientCertificateMode.RequireCertificate; kept so a configuration slip fails closed.
            return Deny(context, StatusCodes.Status401Unauthorized, ProblemTypes.UntrustedCertificate, "Client certificate required", "This registry requires a client certificate.", "", null);
        }

        var fingerprint = trust.FingerprintOf(certificate);
        var (decision, entry) = trust.Decide(certificate);
        if (rule.Kind == AccessKind.UnenrolledAllowed && decision is TrustDecision.Unknown or TrustDecision.Trusted)
        {
            // The one route an untrusted certificate may call: it proves a join token's secret (TokenService).
            if (decision == TrustDecision.Trusted)
            {
                Allowed(entry!);
            }
            else
            {
                metrics.Decided(TrustOutcome.Unenrolled);
            }

            return next(context);
        }

        switch (decision)
        {
            case TrustDecision.Unknown:
                metrics.Decided(TrustOutcome.Untrusted);
                return Deny(context, 403, ProblemTypes.UntrustedCertificate, "Certificate not trusted",
                    $"The registry does not trust certificate {fingerprint}; on the registry host run 'aar trust add' with this client's certificate (for an AMS: <data>/registry/client.crt).", fingerprint, null);
            case TrustDecision.Revoked:
                metrics.Decided(TrustOutcome.Revoked);
                return Deny(context, 403, ProblemTypes.RevokedCertificate, "Certificate revoked", trust.DescribeRevocation(certificate), fingerprint, null);
            case TrustDecision.Expired:
                metrics.Decided(TrustOutcome.Expired);
                return Deny(context, 403, ProblemTypes.ExpiredCertificate, "Certificate expired",
                    $"Certificate {fingerprint} expired on {entry!.NotAfter:u}; give this client a new certificate and trust it with 'aar trust add'.", fingerprint, entry.Role);
            case TrustDecision.NotYetValid:
                metrics.Decided(TrustOutcome.NotYetValid);
                return Deny(context, 403, ProblemTypes.CertificateNotYetValid, "Certificate not yet valid",
                    $"Certificate {fingerprint} is not valid until {entry!.NotBefore:u}; check the clocks of both machines.", fingerprint, entry.Role);
        }

        if (rule.Kind == AccessKind.AdminSocketOnly)
        {
            // Over TLS the admin API does not exist, whatever the role. Decided after the certificate, so an untrusted
            // caller gets the same 403 on an admin path as on any other and cannot tell which paths are routes.
            Allowed(entry!);
            return ProblemResponses.WriteAsync(context, ProblemResponses.NotFound(context));
        }

        if (rule.Kind == AccessKind.PublisherRequired && entry!.Role != TrustRole.Publisher)
        {
            metrics.Decided(TrustOutcome.RoleRefused);
            return Deny(context, 403, ProblemTypes.PublisherRoleRequired, "Publisher role required",
                $"Certificate {fingerprint} has the {entry.Role.ToWire()} role, which is read-only; {context.Request.Method} needs the publisher role (aar trust add --publisher).", fingerprint, entry.Role);
        }

        if (rule.Kind == AccessKind.ViewerRequired && !entry!.Role.SeesDashboard())
        {
            metrics.Decided(TrustOutcome.RoleRefused);
            return Deny(context, 403, ProblemTypes.DashboardRoleRequired, "Viewer or operator role required",
                $"Certificate {fingerprint} has the {entry.Role.ToWire()} role; the dashboard is for certificates trusted as viewer or operator ('aar trust certificate create --role viewer').", fingerprint, entry.Role);
        }

        if (rule.Kind == AccessKind.OperatorRequired && entry!.Role != TrustRole.Operator)
        {
            metrics.Decided(TrustOutcome.RoleRefused);
            return Deny(context, 403, ProblemTypes.OperatorRoleRequired, "Operator role required",
                $"Certificate {fingerprint} has the {entry.Role.ToWire()} role; changing trust from the dashboard needs the operator role.", fingerprint, entry.Role);
        }

        Allowed(entry!);
        context.Features.Set(new CallerIdentity(entry!.Fingerprint, entry.Name, entry.Role, entry.NotAfter));
        return next(context);
    }

    private void Allowed(TrustedCertificate entry)
    {
        metrics.Decided(TrustOutcome.Allowed);
        clients.Seen(entry);
    }

    private Task Deny(HttpContext context, int status, string type, string title, string detail, string fingerprint, TrustRole? role)
    {
        Log.RequestRefused(logger, fingerprint, type, context.Request.Method, context.Request.Path);
        if (fingerprint.Length > 0)
        {
            clients.Refused(fingerprint, type);
        }

        return ProblemResponses.WriteAsync(context, new Problem
        {
            Type = type,
            Title = title,
            Status = status,
            Detail = detail,
            Fingerprint = fingerprint,
            Role = role?.ToWire(),
        });
    }

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Warning, Message = "Refused {Method} {Path} from certificate {Fingerprint}: {Reason}")]
        public static partial void RequestRefused(ILogger logger, string fingerprint, string reason, string method, string path);

        [LoggerMessage(Level = LogLevel.Error, Message = "Refused {Method} {Path}: endpoint {Endpoint} declares no access rule")]
        public static partial void EndpointWithoutAccessRule(ILogger logger, string endpoint, string method, string path);
    }
}
