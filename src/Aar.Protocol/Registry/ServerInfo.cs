namespace Aar.Protocol.Registry;

/// <summary>
/// <c>GET /1.0</c>: what the registry is, and what it thinks of the caller, so a client can check its own standing.
/// </summary>
public sealed record ServerInfo
{
    public required string ServerVersion { get; init; }

    public required string ApiVersion { get; init; }

    /// <summary>The caller's certificate fingerprint.</summary>
    public required string Fingerprint { get; init; }

    /// <summary><c>client</c> or <c>publisher</c>.</summary>
    public required string Role { get; init; }

    /// <summary>The name the operator gave the caller's certificate.</summary>
    public required string Name { get; init; }

    /// <summary>When the caller's certificate expires.</summary>
    public required DateTimeOffset CertificateExpiresAt { get; init; }
}
