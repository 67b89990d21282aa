using Aar.Protocol.Registry;
using Aar.Server.Collection;

namespace Aar.Server.Dashboard;

// Public only because Razor components are public classes and their parameters must be as visible as they are.

/// <summary>Everything the live sections show, read in one go for one refresh.</summary>
public sealed record LiveView(
    DateTimeOffset Now,
    long Generation,
    IReadOnlyList<FleetRow> Trusted,
    IReadOnlyList<RevokedRow> Revoked,
    IReadOnlyList<ApplicationRecord> Applications,
    IReadOnlyList<DeletionRecord> Deletions,
    IReadOnlyList<TransferRow> Transfers,
    StorageView Storage,
    NodeView Node);

/// <summary>A trusted certificate and what it did last.</summary>
public sealed record FleetRow(
    string Fingerprint,
    string Name,
    TrustRole Role,
    DateTimeOffset ExpiresAt,
    DateTimeOffset? LastSeen,
    long? Generation,
    DateTimeOffset? RefusedAt,
    string? Refusal,
    long Refusals)
{
    /// <summary>Generations between the newest and the last one this client fetched (null before its first listing).</summary>
    public long? Behind(long current) => Generation is { } fetched ? Math.Max(0, current - fetched) : null;
}

/// <summary>A revoked certificate and whether it still knocks.</summary>
public sealed record RevokedRow(string Fingerprint, string Name, DateTimeOffset RevokedAt, DateTimeOffset? LastKnock, long Knocks);

/// <summary>An open upload session: who, how far, since when.</summary>
public sealed record TransferRow(string Id, string Publisher, long Received, DateTimeOffset CreatedAt, DateTimeOffset LastActiveAt);

/// <summary>The blob store as last counted, and the last garbage collection and scrub of this node.</summary>
public sealed record StorageView(long Blobs, long Bytes, DateTimeOffset CountedAt, CollectionRun? LastCollection, ScrubRun? LastScrub);

/// <summary>This node: what it runs, its database, and how fresh its trust snapshot is.</summary>
public sealed record NodeView(string MachineName, string ServerVersion, string Database, bool SharedDatabase, bool FollowingTrust, TimeSpan TrustSnapshotAge, int TrustedCount, int RevokedCount);
