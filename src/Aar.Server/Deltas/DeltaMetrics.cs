using System.Diagnostics.Metrics;
using Aar.Hosting;
using Aar.Server.Metrics;

namespace Aar.Server.Deltas;

/// <summary>What delta uploads saved: bytes copied from stored blobs instead of being received, and chunk lookups.</summary>
internal sealed class DeltaMetrics : IMetricsSource
{
    private long _copied;
    private long _copyRequests;
    private long _lookups;
    private long _asked;
    private long _matched;

    public DeltaMetrics(IMeterFactory meters)
    {
        var meter = RegistryMeter.Create(meters);
        meter.CreateObservableCounter<long>("delta_copied_bytes_total", () => Interlocked.Read(ref _copied), unit: "By", description: "Bytes delta uploads took from blobs already stored instead of receiving them.");
        meter.CreateObservableCounter<long>("delta_copy_requests_total", () => Interlocked.Read(ref _copyRequests), description: "Copy requests that appended stored ranges to upload sessions.");
        meter.CreateObservableCounter<long>("delta_lookups_total", () => Interlocked.Read(ref _lookups), description: "Chunk lookups publishers made before delta uploads.");
        meter.CreateObservableCounter<long>("delta_lookup_chunks_total", () => Interlocked.Read(ref _asked), description: "Chunk hashes those lookups asked about.");
        meter.CreateObservableCounter<long>("delta_lookup_matched_bytes_total", () => Interlocked.Read(ref _matched), unit: "By", description: "Bytes of the asked chunks the registry already held.");
    }

    public long Lookups => Interlocked.Read(ref _lookups);

    public long LookupChunks => Interlocked.Read(ref _asked);

    public long CopyRequests => Interlocked.Read(ref _copyRequests);

    public void Copied(long bytes)
    {
        Interlocked.Increment(ref _copyRequests);
        Interlocked.Add(ref _copied, bytes);
    }

    public void Looked(int chunks, long matched)
    {
        Interlocked.Increment(ref _lookups);
        Interlocked.Add(ref _asked, chunks);
        Interlocked.Add(ref _matched, matched);
    }
}
