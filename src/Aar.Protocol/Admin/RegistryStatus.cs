namespace Aar.Protocol.Admin;

/// <summary><c>GET /admin/1.0/status</c>: what <c>aar status</c> shows.</summary>
public sealed record RegistryStatus
{
    public required string ServerVersion { get; init; }

    public required long Generation { get; init; }

    public required int Applications { get; init; }

    public required int Versions { get; init; }

    /// <summary>Stored blobs and their total size in bytes.</summary>
    public required int Blobs { get; init; }

    public required long BlobBytes { get; init; }

    /// <summary>Open upload sessions and the bytes they hold.</summary>
    public required int UploadsInFlight { get; init; }

    public required long UploadBytes { get; init; }

    public required int TrustedPublishers { get; init; }

    public required int TrustedClients { get; init; }

    public required int RevokedCertificates { get; init; }

    /// <summary>Id (hex SHA-256 of the public key) of the key listings are signed with; null before the registry has one.</summary>
    public string? SigningKeyId { get; init; }

    /// <summary>That key as base64 SubjectPublicKeyInfo, what an AMS pins.</summary>
    public string? SigningPublicKey { get; init; }

    /// <summary>Rotations since the first key.</summary>
    public int SigningKeyRotations { get; init; }

    /// <summary>Why this node does not sign (its key file is not the current key), or null when it does.</summary>
    public string? SigningProblem { get; init; }
}
