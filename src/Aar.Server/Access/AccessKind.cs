namespace Aar.Server.Access;

/// <summary>Who may call an endpoint; declared on the endpoint (<see cref="AccessRule"/>), read by the trust gate.</summary>
internal enum AccessKind
{
    /// <summary>Only over the admin unix socket; over TLS the route does not exist (404).</summary>
    AdminSocketOnly,

    /// <summary>A trusted certificate with the publisher role.</summary>
    PublisherRequired,

    /// <summary>Any trusted certificate, whatever its role.</summary>
    AnyTrustedCaller,

    /// <summary>A trusted certificate with the viewer or operator role: the dashboard's pages.</summary>
    ViewerRequired,

    /// <summary>A trusted certificate with the operator role: the dashboard's trust actions.</summary>
    OperatorRequired,

    /// <summary>A certificate that is trusted or not known at all (never revoked or expired): <c>POST /1.0/enrol</c>.</summary>
    UnenrolledAllowed,

    /// <summary>
    /// The catch-all that answers 404/405 for requests no route matched: callers on the socket, and trusted callers
    /// over TLS (an untrusted one learns nothing about the routes).
    /// </summary>
    UnmatchedRoute,
}
