namespace Aar.Protocol.Enrolment;

/// <summary><c>POST /admin/1.0/trust/tokens</c>.</summary>
public sealed record CreateTokenRequest
{
    /// <summary><c>client</c> (default) or <c>publisher</c>.</summary>
    public string Role { get; init; } = "client";

    /// <summary>Lifetime in seconds; default one hour.</summary>
    public long ExpiresInSeconds { get; init; } = 3600;

    /// <summary>Name given to the certificate that enrols with this token (default: its common name).</summary>
    public string? Name { get; init; }

    /// <summary>Addresses to put in the token (<c>host:port</c>); default: the addresses the server listens on.</summary>
    public IReadOnlyList<string> Addresses { get; init; } = [];
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
