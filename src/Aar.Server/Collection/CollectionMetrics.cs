using System.Diagnostics.Metrics;
using Aar.Hosting;
using Aar.Server.Metrics;

namespace Aar.Server.Collection;

/// <summary>
/// Garbage collection and scrub runs and what they found, and the blobs stored as the last collection pass counted
/// them (it lists every blob anyway, every sixth of the grace period and at least every 10 minutes).
/// </summary>
internal sealed class CollectionMetrics : IMetricsSource
{
    private readonly TimeProvider _time;
    private readonly ObservedTotals<(string Task, bool Succeeded)> _runs = new(static key => [new("task", key.Task), new("result", key.Succeeded ? "ok" : "failed")]);
    private readonly ObservedTotals<string> _collected = new(static unit => RegistryMeter.Label("unit", unit));
    private readonly ObservedTotals<string> _findings = new(static kind => RegistryMeter.Label("kind", kind));
    private long _scrubbedBlobs;
    private long _scrubbedBytes;
    private long _storedBlobs = -1;
    private long _storedBytes = -1;

    public CollectionMetrics(IMeterFactory meters, TimeProvider time)
    {
        _time = time;
        // Every label set from the start at 0, so an alert on an increase also sees the first failure or finding.
        foreach (var task in (string[])["gc", "scrub"])
        {
            _runs.Add((task, true), 0);
            _runs.Add((task, false), 0);
        }

        _findings.Add("damaged", 0);
        _findings.Add("missing", 0);
        var meter = RegistryMeter.Create(meters);
        meter.CreateObservableCounter<long>("collection_runs_total", _runs.Observe, description: "Garbage collection (task gc) and scrub (task scrub) runs, by result.");
        meter.CreateObservableCounter<long>("gc_deleted_blobs_total", () => _collected["blobs"], description: "Unreferenced blobs deleted by garbage collection.");
        meter.CreateObservableCounter<long>("gc_deleted_bytes_total", () => _collected["bytes"], unit: "By", description: "Bytes of the unreferenced blobs deleted by garbage collection.");
        meter.CreateObservableCounter<long>("scrub_checked_blobs_total", () => Interlocked.Read(ref _scrubbedBlobs), description: "Blobs re-hashed by scrubs.");
        meter.CreateObservableCounter<long>("scrub_checked_bytes_total", () => Interlocked.Read(ref _scrubbedBytes), unit: "By", description: "Bytes re-hashed by scrubs.");
        meter.CreateObservableCounter<long>("scrub_findings_total", _findings.Observe, description: "Blobs scrubs found damaged (kind damaged, quarantined) or missing though a version names them (kind missing).");
        meter.CreateObservableGauge<long>("stored_blobs", () => Stored(ref _storedBlobs), description: "Blobs in the store, as the last garbage collection pass counted them.");
        meter.CreateObservableGauge<long>("stored_bytes", () => Stored(ref _storedBytes), unit: "By", description: "Bytes of the blobs in the store, as the last garbage collection pass counted them.");
    }

    public void Collected(long storedBlobs, long storedBytes, int deletedBlobs, long deletedBytes)
    {
        Interlocked.Exchange(ref _storedBlobs, storedBlobs - deletedBlobs);
        Interlocked.Exchange(ref _storedBytes, storedBytes - deletedBytes);
        _collected.Add("blobs", deletedBlobs);
        _collected.Add("bytes", deletedBytes);
        _runs.Add(("gc", true));
        LastCollection = new CollectionRun(_time.GetUtcNow(), true, storedBlobs - deletedBlobs, storedBytes - deletedBytes, deletedBlobs, deletedBytes);
    }

    public void CollectionFailed()
    {
        _runs.Add(("gc", false));
        LastCollection = new CollectionRun(_time.GetUtcNow(), false, 0, 0, 0, 0);
    }

    /// <summary>The last garbage collection pass on this node (for the dashboard), or null before the first.</summary>
    public CollectionRun? LastCollection { get; private set; }

    /// <summary>The last scrub on this node (for the dashboard), or null before the first.</summary>
    public ScrubRun? LastScrub { get; private set; }

    public void Scrubbed(int blobs, long bytes, int damaged, int missing)
    {
        Interlocked.Add(ref _scrubbedBlobs, blobs);
        Interlocked.Add(ref _scrubbedBytes, bytes);
        _findings.Add("damaged", damaged);
        _findings.Add("missing", missing);
        _runs.Add(("scrub", true));
        LastScrub = new ScrubRun(_time.GetUtcNow(), true, blobs, bytes, damaged, missing);
    }

    public void ScrubFailed()
    {
        _runs.Add(("scrub", false));
        LastScrub = new ScrubRun(_time.GetUtcNow(), false, 0, 0, 0, 0);
    }

    private static IEnumerable<Measurement<long>> Stored(ref long value) =>
        Interlocked.Read(ref value) is var stored and >= 0 ? [new Measurement<long>(stored)] : [];
}

/// <summary>One garbage collection pass: when, whether it finished, what was stored after it and what it deleted.</summary>
public sealed record CollectionRun(DateTimeOffset At, bool Succeeded, long StoredBlobs, long StoredBytes, int DeletedBlobs, long DeletedBytes);

/// <summary>One scrub: when, whether it finished, what it re-hashed and found.</summary>
public sealed record ScrubRun(DateTimeOffset At, bool Succeeded, int Blobs, long Bytes, int Damaged, int Missing);
