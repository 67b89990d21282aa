namespace Aar.Hosting;

/// <summary>
/// A feature's instruments. Every implementation registered in the service collection is created when the metrics
/// listener starts (so its instruments exist from the first scrape, even before the feature is first used), and
/// <see cref="RefreshAsync"/> runs before every scrape, for values that must be read from the database or the blob
/// store (observable instruments' callbacks are synchronous, so they only read what a refresh left in memory).
/// </summary>
public interface IMetricsSource
{
    /// <summary>
    /// Reads what the next scrape reports. Bounded by the caller (a couple of seconds); when it fails or times out the
    /// previous values stay, and readiness, not the metrics, says the dependency is gone.
    /// </summary>
    Task RefreshAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
