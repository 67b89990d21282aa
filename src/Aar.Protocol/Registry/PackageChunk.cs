namespace Aar.Protocol.Registry;

/// <summary>One content-defined chunk of a package being uploaded: where it lies and its SHA-256 (32 bytes).</summary>
public readonly record struct PackageChunk(long Offset, int Length, ReadOnlyMemory<byte> Hash);

/// <summary>What an upload cost and saved: bytes sent, bytes the registry took from blobs it already held.</summary>
public sealed record UploadOutcome
{
    public required BlobDescriptor Blob { get; init; }

    /// <summary>Package bytes sent (re-sent ones after a cut included); 0 when the registry already had the blob.</summary>
    public required long SentBytes { get; init; }

    /// <summary>Package bytes the registry copied from blobs it already stored instead of receiving them.</summary>
    public required long ReusedBytes { get; init; }

    /// <summary>Bytes of chunk lookups and copy requests: the price of the delta (0 for a whole upload).</summary>
    public long OverheadBytes { get; init; }

    /// <summary>True when the package went by difference, false when it went whole (or was not needed).</summary>
    public bool Delta { get; init; }
}

/// <summary>When <see cref="RegistryClient.UploadDeltaAsync"/> goes by difference rather than whole.</summary>
public sealed record DeltaPolicy
{
    /// <summary>Packages smaller than this go whole: a lookup's round trip costs more than it can save. Default 4 MiB.</summary>
    public long MinimumBytes { get; init; } = 4L * 1024 * 1024;

    /// <summary>Below this share of the package already on the registry, it goes whole. Default 1/8.</summary>
    public double MinimumReuse { get; init; } = 0.125;

    /// <summary>
    /// Chunks of a large package asked about first, spread evenly over it; when they show less than half of
    /// <see cref="MinimumReuse"/> held, the package goes whole without asking about the rest. A fresh 1 GiB package
    /// then costs one 8 KiB lookup instead of one for each of its ~15,000 chunks. 0 turns the sample off. Default 256.
    /// </summary>
    public int SampleChunks { get; init; } = 256;

    /// <summary>Chunk hashes per lookup request (the registry accepts at most 32,768).</summary>
    public int LookupBatch { get; init; } = 32 * 1024;

    /// <summary>
    /// With this many pieces to send or more (scattered small edits), they are uploaded first, one after the other, as
    /// one blob, and the package is then assembled by copy requests alone (up to <see cref="CopyBatch"/> ranges each):
    /// otherwise every alternation between a copied run and a sent piece is a request of its own, and each request
    /// ends with an fsync and a checkpoint on the registry (measured: 819 insertions of 64 KiB in 1 GiB took 8.9 s by
    /// difference against 5.4 s whole on loopback). Even a few pieces pay: 51 pieces of 1 MiB (5 % of 1 GiB rewritten)
    /// took 4.5–5.4 s sent between the copies and 3.3–3.9 s staged; 10 pieces (1 %) 4.2–4.3 s against 3.8–4.0 s. The
    /// blob's session is resumed like the package's (<see cref="UploadOptions.ResumeStagedSessionId"/>). The blob names
    /// no version, so the registry collects it after its grace period. 0 turns this off. Default 4.
    /// </summary>
    public int StageSentFrom { get; init; } = 4;

    /// <summary>Ranges per copy request (the registry accepts at most 4,096).</summary>
    public int CopyBatch { get; init; } = 4096;

    /// <summary>
    /// The second, finer level: a piece to send that lies between two copies from the same stored blob is compared, in
    /// 1/2/8 KiB chunks (<see cref="Chunking.ChunkParameters.Fine"/>), with the bytes between those copies there, whose
    /// fine chunks the registry computes; the parts found are copied too. An edit then costs its own bytes plus about
    /// two fine chunks instead of the whole 64 KiB chunk it fell into (measured: 64 KiB insertions sent 3.2 times their
    /// bytes without it). False keeps to whole chunks. Default true.
    /// </summary>
    public bool FineChunks { get; init; } = true;

    /// <summary>
    /// The largest stored range compared at the fine level (default 4 MiB). An edit leaves its own length plus a chunk
    /// or two between its matched neighbours, and the fine level recovers those chunks' unchanged parts (1 MiB edits in
    /// place: 1.19 times the changed bytes on the wire with a 1 MiB bound, 1.03 with 4 MiB); a longer range is a
    /// rewrite, where only its edges could match while the registry reads and hashes all of it.
    /// </summary>
    public long FineRangeMost { get; init; } = 4 * 1024 * 1024;
}
