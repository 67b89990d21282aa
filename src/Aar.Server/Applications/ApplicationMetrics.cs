using System.Diagnostics.Metrics;
using Aar.Hosting;
using Aar.Server.Metrics;

namespace Aar.Server.Applications;

/// <summary>The registry's current generation, read from the database before each scrape (one single-row query).</summary>
internal sealed class ApplicationMetrics : IMetricsSource
{
    private readonly ApplicationQueries _queries;
    private long _generation = -1;

    public ApplicationMetrics(IMeterFactory meters, ApplicationQueries queries)
    {
        _queries = queries;
        RegistryMeter.Create(meters).CreateObservableGauge<long>("generation", Observe, description: "The registry's current generation (bumped by every publish and deletion); clients compare theirs with it.");
    }

    public async Task RefreshAsync(CancellationToken cancellationToken) =>
        Interlocked.Exchange(ref _generation, await _queries.GenerationAsync(cancellationToken));

    private IEnumerable<Measurement<long>> Observe() =>
        Interlocked.Read(ref _generation) is var generation and >= 0 ? [new Measurement<long>(generation)] : [];
}
