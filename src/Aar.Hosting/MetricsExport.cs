using System.Diagnostics.Metrics;
using Microsoft.Extensions.Logging;
using Prometheus;

namespace Aar.Hosting;

/// <summary>
/// One daemon's Prometheus registry, fed by prometheus-net's adapter from the daemon's own meter, and the refresh of
/// its <see cref="IMetricsSource"/>s before each scrape. Disposed with the service provider, which stops the adapter.
/// </summary>
public sealed partial class MetricsExport : IDisposable
{
    /// <summary>How long a scrape waits for the sources' refreshes; well under Prometheus's default 10 s scrape timeout.</summary>
    public static readonly TimeSpan RefreshTimeout = TimeSpan.FromSeconds(2);

    /// <summary>Seconds, 1 ms to about 17 min: database calls, sync passes and scrubs all fit.</summary>
    private static readonly double[] HistogramBuckets = Histogram.ExponentialBuckets(0.001, 4, 11);

    private readonly IDisposable[] _adapters;
    private readonly IMetricsSource[] _sources;
    private readonly ILogger<MetricsExport> _logger;

    public MetricsExport(IMeterFactory meters, string meterName, IEnumerable<IMetricsSource> sources, ILogger<MetricsExport> logger)
    {
        // Created first: the adapter publishes the instruments that exist when it starts, and those created later.
        _sources = sources.ToArray();
        _logger = logger;
        Registry = Metrics.NewCustomRegistry();
        // Two adapters, because the adapter drops a series not updated for a while. Observable instruments are read
        // at every scrape, so theirs only stop being updated when the daemon withdraws them (a client removed from
        // the trust store): a short expiry removes those within minutes. Histograms are updated only when something
        // happens (a sync pass an hour apart), so they keep the longest expiry the adapter allows.
        _adapters =
        [
            Listen(meters, meterName, observable: true, TimeSpan.FromMinutes(5)),
            Listen(meters, meterName, observable: false, TimeSpan.FromDays(1)),
        ];
    }

    public CollectorRegistry Registry { get; }

    /// <summary>Runs every source's refresh at once, each bounded by <see cref="RefreshTimeout"/>; failures keep the old values.</summary>
    public async Task RefreshAsync(CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(RefreshTimeout);
        await Task.WhenAll(_sources.Select(source => RefreshOneAsync(source, timeout.Token)));
    }

    private async Task RefreshOneAsync(IMetricsSource source, CancellationToken cancellationToken)
    {
        try
        {
            // WaitAsync: a source stuck in a call that ignores the token (a black-holed connection) cannot hold the scrape.
            await source.RefreshAsync(cancellationToken).WaitAsync(cancellationToken);
        }
        catch (Exception ex)
        {
            Log.MetricsRefreshFailed(_logger, source.GetType().Name, ex.Message);
        }
    }

    private IDisposable Listen(IMeterFactory meters, string meterName, bool observable, TimeSpan expireAfter) =>
        MeterAdapter.StartListening(new MeterAdapterOptions
        {
            Registry = Registry,
            MetricFactory = Metrics.WithCustomRegistry(Registry),
            // The scope test keeps each daemon to its own instruments (meters from another service provider, such as a
            // second daemon hosted by the same test process, have another scope).
            InstrumentFilterPredicate = instrument => ReferenceEquals(instrument.Meter.Scope, meters) && instrument.Meter.Name == meterName
                && instrument.IsObservable == observable,
            MetricsExpireAfter = expireAfter,
            ResolveHistogramBuckets = _ => HistogramBuckets,
        });

    public void Dispose()
    {
        foreach (var adapter in _adapters)
        {
            adapter.Dispose();
        }
    }

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Debug, Message = "Metrics of {Source} not refreshed for this scrape: {Reason}")]
        public static partial void MetricsRefreshFailed(ILogger logger, string source, string reason);
    }
}
