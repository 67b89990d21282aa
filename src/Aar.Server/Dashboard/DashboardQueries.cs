using Aar.Server.Applications;
using Aar.Server.Collection;
using Aar.Server.Data;
using Aar.Server.Info;
using Aar.Server.Storage;
using Aar.Server.Trust;
using Aar.Server.Uploads;

namespace Aar.Server.Dashboard;

/// <summary>
/// Reads what the dashboard shows from the features that own it, changing nothing. Bounded per refresh: the listing
/// and the open sessions are single queries, deletions are capped at <see cref="MaxDeletions"/>, and the blob store
/// (whose listing touches every blob) is counted at most once per <see cref="DashboardOptions.StorageCountLifetime"/>.
/// </summary>
internal sealed class DashboardQueries(
    ApplicationQueries applications,
    TrustStore trust,
    ClientActivity activity,
    UploadDatabase uploads,
    IBlobStore blobs,
    CollectionMetrics collection,
    RegistryDatabase database,
    DashboardOptions options,
    TimeProvider time) : IDisposable
{
    public const int MaxDeletions = 50;

    private readonly SemaphoreSlim _countLock = new(1, 1);
    private (long Blobs, long Bytes, DateTimeOffset At)? _count;

    public async Task<LiveView> ReadAsync(CancellationToken cancellationToken)
    {
        var listing = await applications.ListAsync(null, cancellationToken);
        var deletions = await applications.DeletionsSinceAsync(0, cancellationToken);
        var sessions = await uploads.ListAsync(cancellationToken);
        var storage = await CountAsync(cancellationToken);
        var snapshot = trust.Current;
        var names = snapshot.Trusted.Values.ToDictionary(e => e.Fingerprint, e => e.Name, StringComparer.Ordinal);
        var trusted = snapshot.Trusted.Values
            .OrderBy(e => e.Name, StringComparer.Ordinal).ThenBy(e => e.Fingerprint, StringComparer.Ordinal)
            .Select(e => Row(e, activity.View(e.Fingerprint)))
            .ToList();
        var revoked = snapshot.Revoked.Values
            .OrderByDescending(e => e.RevokedAt)
            .Select(e => activity.View(e.Fingerprint) is { } view
                ? new RevokedRow(e.Fingerprint, e.Name, e.RevokedAt, view.RefusedAt, view.Refusals)
                : new RevokedRow(e.Fingerprint, e.Name, e.RevokedAt, null, 0))
            .ToList();
        var transfers = sessions
            .OrderBy(s => s.CreatedAt)
            .Select(s => new TransferRow(s.Id, names.GetValueOrDefault(s.Publisher, s.Publisher), s.Received, s.CreatedAt, s.LastActiveAt))
            .ToList();
        var (shared, following, age) = trust.Freshness;
        return new LiveView(
            time.GetUtcNow(),
            listing.Generation,
            trusted,
            revoked,
            [.. listing.Applications.OrderBy(a => a.Name, StringComparer.Ordinal).ThenBy(a => a.Architecture, StringComparer.Ordinal)],
            [.. deletions.Deletions.OrderByDescending(d => d.Generation).Take(MaxDeletions)],
            transfers,
            new StorageView(storage.Blobs, storage.Bytes, storage.At, collection.LastCollection, collection.LastScrub),
            new NodeView(Environment.MachineName, InfoEndpoints.ServerVersion, database.Description, shared, following, age, snapshot.Trusted.Count, snapshot.Revoked.Count));
    }

    public void Dispose() => _countLock.Dispose();

    /// <summary>The name a publisher fingerprint is trusted under, for the applications view.</summary>
    public string NameOf(string fingerprint) =>
        trust.Current.Trusted.TryGetValue(fingerprint, out var entry) ? entry.Name : fingerprint.Length > 16 ? fingerprint[..16] + "…" : fingerprint;

    private static FleetRow Row(TrustedCertificate entry, ClientActivityView? view) =>
        new(entry.Fingerprint, entry.Name, entry.Role, entry.NotAfter, view?.LastSeen, view?.Generation, view?.RefusedAt, view?.Refusal, view?.Refusals ?? 0);

    private async Task<(long Blobs, long Bytes, DateTimeOffset At)> CountAsync(CancellationToken cancellationToken)
    {
        await _countLock.WaitAsync(cancellationToken);
        try
        {
            var now = time.GetUtcNow();
            if (_count is { } cached && now - cached.At < options.StorageCountLifetime)
            {
                return cached;
            }

            var (count, bytes) = (0L, 0L);
            await foreach (var blob in blobs.ListAsync(cancellationToken))
            {
                count++;
                bytes += blob.Size;
            }

            _count = (count, bytes, now);
            return _count.Value;
        }
        finally
        {
            _countLock.Release();
        }
    }
}
