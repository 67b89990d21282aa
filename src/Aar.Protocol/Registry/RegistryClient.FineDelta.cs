using System.Buffers;
using Aar.Protocol.Chunking;
using Aar.Protocol.Http;

namespace Aar.Protocol.Registry;

public sealed partial class RegistryClient
{
    /// <summary>Ranges and stored bytes asked for in one <c>POST …/signatures</c> (the registry accepts 4,096 and 64 MiB).</summary>
    private const int SignatureBatchRanges = 1024;
    private const long SignatureBatchBytes = 32L << 20;

    /// <summary>
    /// The second level of a delta upload (<see cref="DeltaPolicy.FineChunks"/>): each piece to send that lies between
    /// two copies from one stored blob (or before the first copy, at the start of the package) most likely replaces the
    /// bytes between those copies there. The registry answers their fine chunks; the piece is cut into fine chunks too,
    /// and those found are copied instead of sent. Best effort: a registry without the route, or an answer that is not
    /// one, leaves the plan as it was; a lying answer at worst makes the assembled blob fail its SHA-256, and the
    /// package then goes whole. Returns the bytes the signature requests and answers cost.
    /// </summary>
    private async Task<long> RefineAsync(Stream content, DeltaPlan plan, DeltaPolicy policy, CancellationToken cancellationToken)
    {
        var candidates = FineCandidates(plan, policy);
        long overhead = 0;
        var refined = new Dictionary<int, List<DeltaSegment>>();
        foreach (var group in candidates.GroupBy(c => c.Blob, StringComparer.Ordinal))
        {
            if (!BlobDigest.TryParse(group.Key, out var blob))
            {
                continue;
            }

            foreach (var batch in Batches(group.ToList()))
            {
                var ranges = batch.Select(c => c.Old).ToList();
                ApiResult<ChunkSignature[][]> answer;
                try
                {
                    answer = await GetSignaturesAsync(blob, ranges, cancellationToken);
                }
                catch (ChunkIndexFormatException)
                {
                    return overhead;
                }

                if (answer.Value is not { } signatures)
                {
                    return overhead;
                }

                overhead += (ranges.Count * ByteRanges.EntrySize) + (signatures.Sum(r => r.Length) * ChunkSignatureWire.EntrySize);
                for (var i = 0; i < batch.Count; i++)
                {
                    refined[batch[i].Segment] = await SplitAsync(content, plan.Segments[batch[i].Segment], group.Key, batch[i].Old, signatures[i], cancellationToken);
                }
            }
        }

        // From the last segment back, so the indexes of those not yet replaced stay valid.
        foreach (var (at, pieces) in refined.OrderByDescending(r => r.Key))
        {
            plan.Segments.RemoveAt(at);
            plan.Segments.InsertRange(at, pieces);
        }

        return overhead;
    }

    /// <summary>The pieces to send that have a likely predecessor in one stored blob, with that predecessor's range.</summary>
    private static List<(int Segment, string Blob, ByteRange Old)> FineCandidates(DeltaPlan plan, DeltaPolicy policy)
    {
        var candidates = new List<(int, string, ByteRange)>();
        var segments = plan.Segments;
        for (var i = 0; i < segments.Count; i++)
        {
            if (segments[i].Blob is not null)
            {
                continue;
            }

            var before = i > 0 ? segments[i - 1] : null;
            var after = i + 1 < segments.Count ? segments[i + 1] : null;
            // Between two copies from one blob; before the first copy, from where the blob starts; after the last, to
            // where it ends (a zip's central directory changes with every entry that does), when the registry said.
            (string Blob, long Start, long End)? old = (before, after) switch
            {
                ({ Blob: { } left }, { Blob: { } right }) when string.Equals(left, right, StringComparison.Ordinal) => (right, before.BlobOffset + before.Length, after.BlobOffset),
                (null, { Blob: { } right }) => (right, 0, after.BlobOffset),
                ({ Blob: { } left }, null) when plan.BlobSizes.TryGetValue(left, out var size) => (left, before.BlobOffset + before.Length, Math.Min(size, before.BlobOffset + before.Length + policy.FineRangeMost)),
                _ => null,
            };
            if (old is var (blob, start, end) && end - start is > 0 and var length && length <= policy.FineRangeMost)
            {
                candidates.Add((i, blob, new ByteRange(start, length)));
            }
        }

        return candidates;
    }

    private static IEnumerable<List<(int Segment, string Blob, ByteRange Old)>> Batches(List<(int Segment, string Blob, ByteRange Old)> candidates)
    {
        var batch = new List<(int, string, ByteRange)>();
        long bytes = 0;
        foreach (var candidate in candidates)
        {
            if (batch.Count == SignatureBatchRanges || (batch.Count > 0 && bytes + candidate.Old.Length > SignatureBatchBytes))
            {
                yield return batch;
                batch = [];
                bytes = 0;
            }

            batch.Add(candidate);
            bytes += candidate.Old.Length;
        }

        if (batch.Count > 0)
        {
            yield return batch;
        }
    }

    /// <summary>
    /// Cuts the piece <paramref name="piece"/> of <paramref name="content"/> into fine chunks and returns it as segments:
    /// copies from <paramref name="blob"/> for the chunks found among <paramref name="old"/>'s, sends for the rest.
    /// </summary>
    private static async Task<List<DeltaSegment>> SplitAsync(Stream content, DeltaSegment piece, string blob, ByteRange old, ChunkSignature[] oldChunks, CancellationToken cancellationToken)
    {
        var stored = new Dictionary<ChunkHash, long>(oldChunks.Length);
        var at = old.Offset;
        foreach (var chunk in oldChunks)
        {
            stored.TryAdd(chunk.Hash, at);
            at += chunk.Length;
        }

        using var signer = new ChunkSigner(ChunkParameters.Fine);
        var buffer = ArrayPool<byte>.Shared.Rent(1 << 20);
        try
        {
            content.Position = piece.Start;
            for (long done = 0; done < piece.Length;)
            {
                var read = await content.ReadAsync(buffer.AsMemory(0, (int)Math.Min(buffer.Length, piece.Length - done)), cancellationToken);
                if (read == 0)
                {
                    throw new EndOfStreamException($"The package ended at {piece.Start + done} bytes, inside a piece of {piece.Length} bytes at {piece.Start}.");
                }

                signer.Append(buffer.AsSpan(0, read));
                done += read;
            }

            signer.End();
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }

        var segments = new List<DeltaSegment>();
        var position = piece.Start;
        foreach (var chunk in signer.Chunks)
        {
            var found = stored.TryGetValue(chunk.Hash, out var from);
            var last = segments.Count > 0 ? segments[^1] : null;
            if (found && last is { Blob: not null } && last.BlobOffset + last.Length == from)
            {
                segments[^1] = last with { Length = last.Length + chunk.Length };
            }
            else if (!found && last is { Blob: null })
            {
                segments[^1] = last with { Length = last.Length + chunk.Length };
            }
            else
            {
                segments.Add(new DeltaSegment(position, chunk.Length, found ? blob : null, found ? from : 0));
            }

            position += chunk.Length;
        }

        return segments;
    }
}
