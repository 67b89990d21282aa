namespace Aar.Protocol.Admin;

/// <summary>A certificate the registry trusts.</summary>
public sealed record TrustEntry
{
    public required string Fingerprint { get; init; }

    public required string Name { get; init; }

    /// <summary><c>client</c> or <c>publisher</c>.</summary>
    public required string Role { get; init; }

    public required string Subject { get; init; }

    public required DateTimeOffset NotBefore { get; init; }

    public required DateTimeOffset ExpiresAt { get; init; }

    public required DateTimeOffset AddedAt { get; init; }
}
