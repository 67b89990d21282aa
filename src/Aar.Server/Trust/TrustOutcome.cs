namespace Aar.Server.Trust;

/// <summary>What the gate did with a request over TLS: the <c>outcome</c> label of <c>aar_trust_decisions_total</c>.</summary>
internal enum TrustOutcome
{
    Allowed,
    Untrusted,
    Revoked,
    Expired,
    NotYetValid,
    RoleRefused,

    /// <summary>An untrusted certificate on the one route it may call (enrolment).</summary>
    Unenrolled,
}
