using TestSupport;

namespace EndToEnd.Tests.Monitoring;

/// <summary>
/// The metric names the real daemons export, read from their <c>/metrics</c> after traffic that makes every instrument
/// report (a join, a publish, a push, a pull, a garbage-collection pass), so queries can be checked against them.
/// </summary>
internal static class ExportedMetrics
{
    /// <summary>
    /// <c>aar serve</c> options for a site whose names are all to be seen: the first garbage-collection pass, which
    /// counts the stored blobs, comes after a sixth of the grace period (at least 1 s) instead of 10 minutes.
    /// </summary>
    public static readonly IReadOnlyList<string> RegistryArguments = ["--blob-grace", "6s"];

    /// <summary>
    /// Publishes one version from the site's publisher, syncs both AMS, and returns every metric name (the samples'
    /// names, so a histogram gives its <c>_bucket</c>, <c>_sum</c> and <c>_count</c>) the three daemons then export.
    /// </summary>
    public static async Task<IReadOnlySet<string>> AfterTrafficAsync(Site site)
    {
        var (registry, publisher, client) = site;
        await publisher.CreateAndPublishAsync("game", Packages.Small(publisher, "game"));
        await publisher.SyncOkAsync();
        await client.SyncOkAsync();
        var registryScrape = await Poll.UntilAsync(
            async () => await MetricsScrape.GetAsync(new Uri(registry.MetricsUrl)) is var scrape && scrape.Find("aar_stored_blobs").Any() ? scrape : null,
            TimeSpan.FromSeconds(30), "the registry's first garbage-collection pass (aar_stored_blobs)", everyMilliseconds: 250);
        var scrapes = new[] { registryScrape, await MetricsScrape.GetAsync(publisher.MetricsUrl!), await MetricsScrape.GetAsync(client.MetricsUrl!) };
        return scrapes.SelectMany(s => s.Samples).Select(s => s.Name).ToHashSet(StringComparer.Ordinal);
    }
}
