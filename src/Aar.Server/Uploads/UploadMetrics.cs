using System.Diagnostics.Metrics;
using Aar.Hosting;
using Aar.Server.Metrics;

namespace Aar.Server.Uploads;

/// <summary>Upload sessions open and the bytes they hold, read from the database before each scrape (all nodes' sessions).</summary>
internal sealed class UploadMetrics : IMetricsSource
{
    private readonly UploadSessions _sessions;
    private long _open = -1;
    private long _staged = -1;

    public UploadMetrics(IMeterFactory meters, UploadSessions sessions)
    {
        _sessions = sessions;
        var meter = RegistryMeter.Create(meters);
        meter.CreateObservableGauge<long>("upload_sessions", () => Observe(ref _open), description: "Resumable upload sessions open.");
        meter.CreateObservableGauge<long>("upload_staged_bytes", () => Observe(ref _staged), unit: "By", description: "Bytes the open upload sessions hold.");
    }

    public async Task RefreshAsync(CancellationToken cancellationToken)
    {
        var (sessions, bytes) = await _sessions.StatisticsAsync(cancellationToken);
        Interlocked.Exchange(ref _open, sessions);
        Interlocked.Exchange(ref _staged, bytes);
    }

    private static IEnumerable<Measurement<long>> Observe(ref long value) =>
        Interlocked.Read(ref value) is var observed and >= 0 ? [new Measurement<long>(observed)] : [];
}
