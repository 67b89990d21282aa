namespace Aar.Protocol.Management;

/// <summary><c>GET /1.0</c>: what this AMS is and the limits a client should know before uploading.</summary>
public sealed record ServiceStatus
{
    public string ApiVersion { get; init; } = "1.0";

    public required string Architecture { get; init; }

    /// <summary>Largest accepted package, in bytes.</summary>
    public required long PackageSizeLimit { get; init; }

    /// <summary>Fingerprint of this AMS's registry client certificate (<c>&lt;data&gt;/registry/client.crt</c>).</summary>
    public required string ClientFingerprint { get; init; }

    public List<string> ApiExtensions { get; init; } = [];
}

/// <summary>Body of <c>PATCH /1.0/applications/{id}/{version}</c>: publish (true) or revoke (false).</summary>
public sealed record VersionPatch
{
    public required bool Published { get; init; }
}

/// <summary>Body of the <c>DELETE</c> routes: <see cref="Force"/> also deletes immutable (registry-imported) applications.</summary>
public sealed record DeleteRequest
{
    public bool Force { get; init; }
}
