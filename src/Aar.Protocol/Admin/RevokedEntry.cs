namespace Aar.Protocol.Admin;

/// <summary>A certificate that is refused forever.</summary>
public sealed record RevokedEntry
{
    public required string Fingerprint { get; init; }

    /// <summary>The name it had when it was revoked; empty when it was revoked without ever being trusted.</summary>
    public required string Name { get; init; }

    public required string Subject { get; init; }

    public required DateTimeOffset RevokedAt { get; init; }

    /// <summary>
    /// SHA-256 of the revoked certificate's public key (SubjectPublicKeyInfo), 64 hex characters: every certificate
    /// made from this key is refused too. Null when the registry never held the certificate (revoked by fingerprint
    /// alone) or it was revoked before the registry recorded keys.
    /// </summary>
    public string? PublicKey { get; init; }
}
