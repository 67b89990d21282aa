namespace Aar.Protocol.Management;

/// <summary><c>GET /1.0/registry</c>: what <c>amc registry status</c> shows.</summary>
public sealed record RegistryStatus
{
    /// <summary><c>pull</c>, <c>push</c> or <c>manual</c>.</summary>
    public required string Mode { get; init; }

    /// <summary>Empty while <c>registry.url</c> is not set (then nothing syncs).</summary>
    public required string Url { get; init; }

    public required string Fingerprint { get; init; }

    public required string Architecture { get; init; }

    /// <summary>This AMS's registry client certificate fingerprint, as the registry sees it.</summary>
    public required string ClientFingerprint { get; init; }

    public required string UpdateInterval { get; init; }

    /// <summary>True while a pass runs.</summary>
    public required bool Running { get; init; }

    /// <summary>When the next automatic pass starts; null in manual mode or without a URL.</summary>
    public DateTimeOffset? NextPassAt { get; init; }

    /// <summary>The registry generation the last successful pull reached.</summary>
    public long Generation { get; init; }

    /// <summary>The registry's listing-signing key this AMS verifies with (<c>registry.signing_key</c>); null until pinned.</summary>
    public SigningKeyStatus? SigningKey { get; init; }

    public SyncPassReport? LastPass { get; init; }

    public IReadOnlyList<TransferInfo> Transfers { get; init; } = [];

    /// <summary>The last download by difference since the daemon started; null before the first.</summary>
    public DeltaDownloadInfo? LastDelta { get; init; }

    /// <summary>Registry versions this AMS refused and does not download again; null when there are none.</summary>
    public IReadOnlyList<RejectedVersionInfo>? Rejected { get; init; }
}

/// <summary>The pinned signing key and the last listing that verified with it.</summary>
public sealed record SigningKeyStatus
{
    /// <summary>SHA-256 of the public key (hex), as <c>aar status</c> shows it.</summary>
    public required string KeyId { get; init; }

    /// <summary>The public key (base64 SubjectPublicKeyInfo), the value of <c>registry.signing_key</c>.</summary>
    public required string PublicKey { get; init; }

    /// <summary>
    /// <c>configured</c> (a join token or the operator), or <c>first-use</c>: no key was configured and the first one
    /// the registry presented was pinned (pin it explicitly to be protected from the first contact on).
    /// </summary>
    public required string PinnedBy { get; init; }

    /// <summary>The generation of the last listing that verified; null before one did.</summary>
    public long? ListingGeneration { get; init; }

    public DateTimeOffset? ListingSignedAt { get; init; }

    /// <summary>When that listing's signature expires: past it, a pull asks for a fresh one.</summary>
    public DateTimeOffset? ListingExpiresAt { get; init; }
}

/// <summary>The outcome of one sync pass.</summary>
public sealed record SyncPassReport
{
    /// <summary>Increasing number of the pass since the daemon started.</summary>
    public required long Number { get; init; }

    public required string Mode { get; init; }

    public required DateTimeOffset StartedAt { get; init; }

    public required DateTimeOffset FinishedAt { get; init; }

    /// <summary><c>ok</c>, <c>partial</c> (some applications failed or conflicted), <c>failed</c> or <c>unchanged</c> (304).</summary>
    public required string Result { get; init; }

    public int Uploaded { get; init; }

    public int Downloaded { get; init; }

    public int Deleted { get; init; }

    public int Unchanged { get; init; }

    /// <summary>Package bytes this pass's uploads put on the wire; null when nothing was uploaded.</summary>
    public long? UploadSentBytes { get; init; }

    /// <summary>Package bytes this pass's uploads did not send because the registry already held them (delta uploads); null when nothing was uploaded.</summary>
    public long? UploadSavedBytes { get; init; }

    /// <summary>One sentence each: what went wrong and what to do.</summary>
    public IReadOnlyList<string> Errors { get; init; } = [];

    /// <summary>Immutability and ownership conflicts: recorded, never overwritten.</summary>
    public IReadOnlyList<string> Conflicts { get; init; } = [];
}

/// <summary>A package moving between this AMS and the registry.</summary>
public sealed record TransferInfo
{
    public required string Application { get; init; }

    public required int Version { get; init; }

    /// <summary><c>upload</c> or <c>download</c>.</summary>
    public required string Direction { get; init; }

    public required long Bytes { get; init; }

    public required long Total { get; init; }

    /// <summary>
    /// Of <see cref="Bytes"/>, those that did not cross the network: copied by the registry from blobs it already held
    /// (a delta upload), or taken from packages this AMS already held (a delta download); null when none.
    /// </summary>
    public long? SavedBytes { get; init; }

    public required DateTimeOffset StartedAt { get; init; }

    public required double BytesPerSecond { get; init; }

    /// <summary>Seconds left at the current rate; null before the rate is known.</summary>
    public double? EtaSeconds { get; init; }

    /// <summary>
    /// Seconds since the last bytes moved, once that is 10 s or more: the registry stopped sending. The transfer is
    /// cut after <c>registry.timeout.idle</c> and resumes with a Range request. Null while bytes are moving.
    /// </summary>
    public double? StalledSeconds { get; init; }
}

/// <summary>A package downloaded by difference: the bytes fetched from the registry and those copied from packages held here.</summary>
public sealed record DeltaDownloadInfo
{
    public required string Application { get; init; }

    public required int Version { get; init; }

    /// <summary>Bytes moved over the network (the chunks this AMS lacked).</summary>
    public required long Fetched { get; init; }

    /// <summary>Bytes saved: copied from packages this AMS already held.</summary>
    public required long Reused { get; init; }

    public required DateTimeOffset FinishedAt { get; init; }
}

/// <summary><c>POST /1.0/registry/sync</c>.</summary>
public sealed record SyncRequest
{
    /// <summary>Answer only when the pass is over, with its report.</summary>
    public bool Wait { get; init; }
}

/// <summary><c>POST /1.0/registry/join</c>: enrol with a token from <c>aar trust token create</c>.</summary>
public sealed record JoinRequest
{
    public required string Token { get; init; }
}

/// <summary>What a join configured.</summary>
public sealed record JoinOutcome
{
    public required string Url { get; init; }

    public required string Fingerprint { get; init; }

    public required string Role { get; init; }

    public required string Mode { get; init; }
}

/// <summary>
/// <c>POST /1.0/registry/certificate</c> (<c>amc registry certificate renew</c>): the AMS made itself a new registry
/// client certificate; the registry must trust it before the next pass can work.
/// </summary>
public sealed record CertificateRenewal
{
    public required string Fingerprint { get; init; }

    public required string CommonName { get; init; }

    /// <summary>The certificate replaced (kept as <c>registry/client.crt.previous</c>).</summary>
    public required string PreviousFingerprint { get; init; }

    /// <summary>The new certificate, PEM, for <c>aar trust add</c>.</summary>
    public required string Certificate { get; init; }

    /// <summary><c>publisher</c> when <c>registry.mode</c> is push, else <c>client</c>: the role to trust it with.</summary>
    public required string Role { get; init; }
}

/// <summary>One application as the registry holds it (<c>amc registry list</c>).</summary>
public sealed record RegistryApplication
{
    public required string Name { get; init; }

    public required string Architecture { get; init; }

    public required string Owner { get; init; }

    public required IReadOnlyList<int> Versions { get; init; }

    public required IReadOnlyList<string> Tags { get; init; }

    /// <summary>True when this AMS's certificate owns it (it can push to it).</summary>
    public required bool OwnedByThisAms { get; init; }

    /// <summary>Whether a local application has the name: <c>imported</c>, <c>local</c> or empty.</summary>
    public required string Local { get; init; }
}

/// <summary>What <c>amc registry verify</c> found: the package, the signed listing it was checked against, the versions it is.</summary>
public sealed record PackageVerification
{
    public required string Package { get; init; }

    public required string Digest { get; init; }

    public required long Size { get; init; }

    /// <summary>The key id the listing verified with.</summary>
    public required string SigningKey { get; init; }

    public required long Generation { get; init; }

    public required DateTimeOffset SignedAt { get; init; }

    public required DateTimeOffset ExpiresAt { get; init; }

    /// <summary>True when the listing's signature has expired: it proves what the registry listed then, not now.</summary>
    public required bool Expired { get; init; }

    public required IReadOnlyList<VerifiedVersion> Versions { get; init; }
}

/// <summary>An application version whose listed digest and size are the package's.</summary>
public sealed record VerifiedVersion
{
    public required string Name { get; init; }

    public required string Architecture { get; init; }

    public required int Version { get; init; }
}
