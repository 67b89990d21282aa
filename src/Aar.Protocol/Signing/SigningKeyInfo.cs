namespace Aar.Protocol.Signing;

/// <summary><c>GET /1.0/signing-key</c>: the key the registry signs with now, and how it got there from earlier keys.</summary>
public sealed record SigningKeyInfo
{
    public required string KeyId { get; init; }

    /// <summary>Base64 SubjectPublicKeyInfo.</summary>
    public required string PublicKey { get; init; }

    /// <summary>Every rotation, oldest first (<see cref="RotationChain.TryFollow"/> walks them from a pinned key).</summary>
    public required IReadOnlyList<SignedEnvelope> Rotations { get; init; }
}
