namespace Aar.Protocol.Enrolment;

/// <summary>
/// <c>POST /admin/1.0/trust/tokens</c>. Every field is optional: a JSON <c>null</c> or an omitted field reads as its
/// default. The source-generated serializer sets every init-only property, omitted ones to null or 0, so the defaults
/// are applied in the setters (and the lifetime is nullable, since 0 is a value to refuse, not a default).
/// </summary>
public sealed record CreateTokenRequest
{
    public const long DefaultExpiresInSeconds = 3600;

    /// <summary><c>client</c> (default) or <c>publisher</c>.</summary>
    public string Role { get; init => field = value ?? "client"; } = "client";

    /// <summary>Lifetime in seconds; null means the default, one hour.</summary>
    public long? ExpiresInSeconds { get; init; }

    /// <summary>Name given to the certificate that enrols with this token (default: its common name).</summary>
    public string? Name { get; init; }

    /// <summary>Addresses to put in the token (<c>host:port</c>); default: the addresses the server listens on.</summary>
    public IReadOnlyList<string> Addresses { get; init => field = value ?? []; } = [];
}

/// <summary>A token that has not been used yet, as <c>aar trust token list</c> shows it (never its secret).</summary>
public sealed record TokenEntry
{
    public required string Id { get; init; }

    public required string Role { get; init; }

    public required string Name { get; init; }

    public required DateTimeOffset CreatedAt { get; init; }

    public required DateTimeOffset ExpiresAt { get; init; }
}

/// <summary>The answer to token creation: the only time the encoded token (with its secret) is shown.</summary>
public sealed record CreatedToken
{
    public required TokenEntry Entry { get; init; }

    public required string Token { get; init; }

    public required IReadOnlyList<string> Addresses { get; init; }
}
