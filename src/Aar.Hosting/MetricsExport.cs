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

    private readonly IDisposable _adapter;
    private readonly IMetricsSource[] _sources;
    private readonly ILogger<MetricsExport> _logger;

    public MetricsExport(IMeterFactory meters, string meterName, IEnumerable<IMetricsSource> sources, ILogger<MetricsExport> logger)
    {
        // Created first: the adapter publishes the instruments that exist when it starts, and those created later.
        _sources = sources.ToArray();
        _logger = logger;
        Registry = Metrics.NewCustomRegistry();
        _adapter = MeterAdapter.StartListening(new MeterAdapterOptions
        {
            Registry = Registry,
            MetricFactory = Metrics.WithCustomRegistry(Registry),
            // The scope test keeps each daemon to its own instruments (meters from another service provider, such as a
            // second daemon hosted by the same test process, have another scope).
            InstrumentFilterPredicate = instrument => ReferenceEquals(instrument.Meter.Scope, meters) && instrument.Meter.Name == meterName,
            // The adapter drops a series not updated for this long (at most a day). The daemons publish totals and
            // states as observable instruments, read again on every scrape, so while Prometheus scrapes nothing expires.
            MetricsExpireAfter = TimeSpan.FromDays(1),
            ResolveHistogramBuckets = _ => HistogramBuckets,
        });
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
            Log.RefreshFailed(_logger, source.GetType().Name, ex.Message);
        }
    }

    public void Dispose() => _adapter.Dispose();

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Debug, Message = "Metrics of {Source} not refreshed for this scrape: {Reason}")]
        public static partial void RefreshFailed(ILogger logger, string source, string reason);
    }
}
