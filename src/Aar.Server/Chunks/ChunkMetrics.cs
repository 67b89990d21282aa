using System.Diagnostics.Metrics;
using Aar.Hosting;
using Aar.Server.Metrics;

namespace Aar.Server.Chunks;

/// <summary>
/// Chunk indexes computed, the ranges and bytes served by <c>POST …/ranges</c> (the bytes delta downloads move), and the
/// fine signatures served by <c>POST …/signatures</c>.
/// </summary>
internal sealed class ChunkMetrics : IMetricsSource
{
    private long _indexes;
    private long _indexedBytes;
    private long _rangeRequests;
    private long _ranges;
    private long _rangeBytes;
    private long _signatureRequests;
    private long _signedBytes;

    public ChunkMetrics(IMeterFactory meters)
    {
        var meter = RegistryMeter.Create(meters);
        meter.CreateObservableCounter<long>("chunk_indexes_computed_total", () => Interlocked.Read(ref _indexes), description: "Chunk indexes computed from stored blobs.");
        meter.CreateObservableCounter<long>("chunk_indexed_bytes_total", () => Interlocked.Read(ref _indexedBytes), unit: "By", description: "Bytes read to compute chunk indexes.");
        meter.CreateObservableCounter<long>("blob_range_requests_total", () => Interlocked.Read(ref _rangeRequests), description: "Batched range reads served (POST /1.0/blobs/{digest}/ranges).");
        meter.CreateObservableCounter<long>("blob_ranges_total", () => Interlocked.Read(ref _ranges), description: "Byte ranges served by batched range reads.");
        meter.CreateObservableCounter<long>("blob_range_bytes_total", () => Interlocked.Read(ref _rangeBytes), unit: "By", description: "Bytes sent by batched range reads.");
        meter.CreateObservableCounter<long>("chunk_signature_requests_total", () => Interlocked.Read(ref _signatureRequests), description: "Fine chunk signatures served (POST /1.0/blobs/{digest}/signatures).");
        meter.CreateObservableCounter<long>("chunk_signed_bytes_total", () => Interlocked.Read(ref _signedBytes), unit: "By", description: "Bytes read and hashed for fine chunk signatures.");
    }

    public void Computed(long bytes)
    {
        Interlocked.Increment(ref _indexes);
        Interlocked.Add(ref _indexedBytes, bytes);
    }

    public void RangeRequest(int ranges)
    {
        Interlocked.Increment(ref _rangeRequests);
        Interlocked.Add(ref _ranges, ranges);
    }

    public void RangeBytes(long bytes) => Interlocked.Add(ref _rangeBytes, bytes);

    public void SignatureRequest(long bytes)
    {
        Interlocked.Increment(ref _signatureRequests);
        Interlocked.Add(ref _signedBytes, bytes);
    }

    /// <summary>Chunk indexes computed from stored blobs so far (tests read it).</summary>
    public long IndexesComputed => Interlocked.Read(ref _indexes);

    /// <summary>Bytes read to compute chunk indexes so far (tests read it).</summary>
    public long IndexedBytes => Interlocked.Read(ref _indexedBytes);

    /// <summary>Fine signature requests served so far (tests read it).</summary>
    public long SignatureRequests => Interlocked.Read(ref _signatureRequests);
}
