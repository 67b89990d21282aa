using System.Diagnostics.Metrics;
using Aar.Hosting;
using Aar.Protocol.Management;
using Ams.Daemon.Config;
using Ams.Daemon.Metrics;

namespace Ams.Daemon.Sync;

/// <summary>
/// Sync passes and what they moved, the time of the last successful one, and how far this AMS's applied generation
/// is behind the registry's as of the last pull, and the interval passes are scheduled at (so an alert can say "not
/// synced for 3 intervals" whatever each machine's interval is). Totals are observed counters (see
/// <see cref="ObservedTotals{TKey}"/>).
/// </summary>
internal sealed class SyncMetrics : IMetricsSource
{
    private readonly ObservedTotals<string> _passes = new(static result => [new("result", result)]);
    private readonly ObservedTotals<string> _versions = new(static action => [new("action", action)]);
    private readonly ObservedTotals<string> _bytes = new(static direction => [new("direction", direction)]);
    private readonly ObservedTotals<string> _delta = new(static kind => [new("kind", kind)]);
    private readonly ObservedTotals<string> _problems = new(static kind => [new("kind", kind)]);
    private readonly ObservedTotals<string> _pushed = new(static kind => [new("kind", kind)]);
    private readonly Histogram<double> _duration;
    private readonly ConfigStore _config;
    private double _lastSuccess = -1;
    private long _registryGeneration = -1;
    private long _appliedGeneration = -1;

    public SyncMetrics(IMeterFactory meters, ConfigStore config)
    {
        _config = config;
        // Every label set from the start at 0, so an alert on an increase also sees the first failure.
        foreach (var result in Enum.GetValues<PassResult>())
        {
            _passes.Add(result.ToWire(), 0);
        }

        foreach (var action in (string[])["uploaded", "imported", "deleted", "rejected"])
        {
            _versions.Add(action, 0);
        }

        _bytes.Add("up", 0);
        _bytes.Add("down", 0);
        _delta.Add("fetched", 0);
        _delta.Add("reused", 0);
        _problems.Add("error", 0);
        _problems.Add("conflict", 0);
        _pushed.Add("sent", 0);
        _pushed.Add("saved", 0);
        var meter = AmsMeter.Create(meters);
        meter.CreateObservableCounter<long>("sync_passes_total", _passes.Observe, description: "Sync passes by result: ok, unchanged (the registry answered 304), partial, failed.");
        _duration = meter.CreateHistogram<double>("sync_pass_duration_seconds", unit: "s", description: "How long sync passes took.");
        meter.CreateObservableCounter<long>("sync_versions_total", _versions.Observe, description: "Versions uploaded to the registry, imported from it, deleted by sync, and rejected (pulled versions refused as invalid or too large).");
        meter.CreateObservableCounter<long>("sync_package_bytes_total", _bytes.Observe, unit: "By", description: "Package bytes of completed transfers, up (pushed) and down (pulled).");
        meter.CreateObservableCounter<long>("sync_delta_bytes_total", _delta.Observe, unit: "By", description: "Bytes of packages downloaded by difference: fetched from the registry (kind fetched) and copied from packages this AMS held (kind reused, the bytes saved).");
        meter.CreateObservableCounter<long>("sync_upload_bytes_total", _pushed.Observe, unit: "By", description: "Package bytes uploads sent to the registry (kind sent) and did not send because the registry already held them (kind saved, delta uploads).");
        meter.CreateObservableCounter<long>("sync_problems_total", _problems.Observe, description: "Errors and conflicts reported by sync passes.");
        meter.CreateObservableGauge<double>("sync_last_success_timestamp_seconds", ObserveLastSuccess, unit: "s", description: "Unix time the last pass that ended ok or unchanged finished.");
        meter.CreateObservableGauge<long>("sync_registry_generation", () => Observe(ref _registryGeneration), description: "The registry's generation as of the last pull.");
        meter.CreateObservableGauge<long>("sync_generation_lag", ObserveLag, description: "How many generations this AMS's applied state is behind the registry's, as of the last pull (0 when caught up).");
        meter.CreateObservableGauge<double>("sync_update_interval_seconds", ObserveInterval, unit: "s", description: "registry.update_interval while passes are scheduled (not reported without a registry or in manual mode).");
    }

    public void Finished(PassReport pass, SyncPassReport report)
    {
        _passes.Add(report.Result);
        _duration.Record((report.FinishedAt - report.StartedAt).TotalSeconds);
        _versions.Add("uploaded", report.Uploaded);
        _versions.Add("imported", report.Downloaded);
        _versions.Add("deleted", report.Deleted);
        _versions.Add("rejected", pass.Rejected);
        _bytes.Add("up", pass.UploadedBytes);
        _bytes.Add("down", pass.DownloadedBytes);
        _pushed.Add("sent", pass.UploadSentBytes);
        _pushed.Add("saved", pass.UploadSavedBytes);
        _problems.Add("error", report.Errors.Count);
        _problems.Add("conflict", report.Conflicts.Count);
        if (report.Result is "ok" or "unchanged")
        {
            Volatile.Write(ref _lastSuccess, report.FinishedAt.ToUnixTimeMilliseconds() / 1000.0);
        }
    }

    /// <summary>A download by difference finished: <paramref name="fetched"/> bytes moved, <paramref name="reused"/> saved.</summary>
    public void Delta(long fetched, long reused)
    {
        _delta.Add("fetched", fetched);
        _delta.Add("reused", reused);
    }

    /// <summary>A pull saw the registry at <paramref name="registry"/>; this AMS has applied everything up to <paramref name="applied"/>.</summary>
    public void Pulled(long registry, long applied)
    {
        Interlocked.Exchange(ref _registryGeneration, registry);
        Interlocked.Exchange(ref _appliedGeneration, applied);
    }

    private IEnumerable<Measurement<double>> ObserveLastSuccess() =>
        Volatile.Read(ref _lastSuccess) is var last and >= 0 ? [new Measurement<double>(last)] : [];

    /// <summary>
    /// Not reported while no pass is scheduled (no registry, or manual mode), so "not synced for N intervals" cannot fire
    /// then (after a switch to manual mode, the exporter drops the last value within its 5-minute expiry).
    /// </summary>
    private IEnumerable<Measurement<double>> ObserveInterval() =>
        _config.Current is { RegistryUrl: not null, Mode: not RegistryMode.Manual } current ? [new Measurement<double>(current.UpdateInterval.TotalSeconds)] : [];

    private IEnumerable<Measurement<long>> ObserveLag()
    {
        var registry = Interlocked.Read(ref _registryGeneration);
        return registry >= 0 ? [new Measurement<long>(Math.Max(0, registry - Interlocked.Read(ref _appliedGeneration)))] : [];
    }

    private static IEnumerable<Measurement<long>> Observe(ref long value) =>
        Interlocked.Read(ref value) is var observed and >= 0 ? [new Measurement<long>(observed)] : [];
}
