using System.Collections.Frozen;
using Aar.Protocol.Admin;

namespace Aar.Server.Trust;

/// <summary>What a request is decided against.</summary>
internal enum TrustDecision
{
    Trusted,
    Unknown,
    Revoked,
    Expired,
    NotYetValid,
}

/// <summary>
/// An immutable picture of the trust store, swapped whole after every committed change, so the per-request check
/// is a lock-free dictionary lookup and never sees half a change.
/// </summary>
internal sealed class TrustSnapshot(FrozenDictionary<string, TrustedCertificate> trusted, FrozenDictionary<string, RevokedEntry> revoked)
{
    public static readonly TrustSnapshot Empty = new(FrozenDictionary<string, TrustedCertificate>.Empty, FrozenDictionary<string, RevokedEntry>.Empty);

    public FrozenDictionary<string, TrustedCertificate> Trusted { get; } = trusted;

    public FrozenDictionary<string, RevokedEntry> Revoked { get; } = revoked;

    /// <summary>Revoked public keys (SPKI SHA-256) and the first certificate revoked with each.</summary>
    public FrozenDictionary<string, RevokedEntry> RevokedKeys { get; } = revoked.Values
        .Where(r => r.PublicKey is not null)
        .GroupBy(r => r.PublicKey!, StringComparer.Ordinal)
        .ToFrozenDictionary(g => g.Key, g => g.OrderBy(r => r.RevokedAt).First(), StringComparer.Ordinal);

    public (TrustDecision Decision, TrustedCertificate? Entry) Decide(string fingerprint, string publicKey, DateTimeOffset now)
    {
        // The revocation list is consulted first: a revoked certificate stays refused even if a row for it
        // somehow reappeared in the allow-list, and so does every certificate made from a revoked key.
        if (Revoked.ContainsKey(fingerprint) || RevokedKeys.ContainsKey(publicKey))
        {
            return (TrustDecision.Revoked, null);
        }

        if (!Trusted.TryGetValue(fingerprint, out var entry))
        {
            return (TrustDecision.Unknown, null);
        }

        // Pinned certificates still expire (canonical/lxd#3162 kept expired certificates trusted).
        if (now > entry.NotAfter)
        {
            return (TrustDecision.Expired, entry);
        }

        return now < entry.NotBefore ? (TrustDecision.NotYetValid, entry) : (TrustDecision.Trusted, entry);
    }
}
