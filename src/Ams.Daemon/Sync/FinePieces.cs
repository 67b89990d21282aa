using Aar.Protocol.Chunking;
using Aar.Protocol.Registry;
using Microsoft.Win32.SafeHandles;

namespace Ams.Daemon.Sync;

/// <summary>A part of a chunk to download: from the registry (<see cref="Path"/> null) or from a local package file.</summary>
internal readonly record struct ChunkPiece(long Offset, int Length, string? Path, long SourceOffset)
{
    public long End => Offset + Length;
}

/// <summary>
/// The second, finer level of a delta download: a run of chunks to fetch that lies between two chunks held in one local
/// package (or before the first one, at the start) most likely replaces the bytes between them there. The registry
/// answers the run's fine chunks (1/2/8 KiB, <c>POST …/signatures</c>), the local bytes are cut the same way, and the
/// fine chunks found locally are read from disk instead of fetched. Best effort and never trusted: each chunk is still
/// checked against its SHA-256 before it is written, and one that fails is fetched whole.
/// </summary>
internal static class FinePieces
{
    /// <summary>The largest local range compared (a longer one is a rewrite: only its edges could match).</summary>
    public const long LongestLocalRange = 4 * 1024 * 1024;

    /// <summary>
    /// The longest run whose signatures are asked for: they cost 36 bytes per 2.5 KiB of it on average (1.4 %), and what
    /// they can save is bounded by the local range, so a longer run (a large insertion) is fetched as it is.
    /// </summary>
    public const long LongestRun = 2 * 1024 * 1024;

    /// <summary>For the chunks to fetch in [<paramref name="start"/>, <paramref name="end"/>) that the fine level splits, their pieces.</summary>
    public static async Task<Dictionary<int, List<ChunkPiece>>> PlanAsync(RegistryClient client, DeltaPlan plan, Func<string, SafeFileHandle?> open, int start, int end, CancellationToken cancellationToken)
    {
        var split = new Dictionary<int, List<ChunkPiece>>();
        var target = plan.Target;
        var runs = Candidates(plan, open, start, end);
        if (runs.Count == 0)
        {
            return split;
        }

        ChunkSignature[][] signatures;
        try
        {
            var answer = await client.GetSignaturesAsync(target.Digest, runs.Select(r => new ByteRange(target.OffsetOf(r.First), target.OffsetOf(r.Last) + target.LengthOf(r.Last) - target.OffsetOf(r.First))).ToList(), cancellationToken);
            if (answer.Value is not { } value)
            {
                return split;
            }

            signatures = value;
        }
        catch (ChunkIndexFormatException)
        {
            return split;
        }

        for (var r = 0; r < runs.Count; r++)
        {
            var (first, last, path, localStart, localLength) = runs[r];
            if (open(path) is not { } file)
            {
                continue;
            }

            var local = new byte[localLength];
            try
            {
                if (await RandomAccess.ReadAsync(file, local, localStart, cancellationToken) != local.Length)
                {
                    continue;
                }
            }
            catch (IOException)
            {
                continue;
            }

            var held = new Dictionary<ChunkHash, long>();
            var at = localStart;
            foreach (var chunk in ChunkSigner.Of(local, ChunkParameters.Fine))
            {
                held.TryAdd(chunk.Hash, at);
                at += chunk.Length;
            }

            var pieces = new List<ChunkPiece>();
            var offset = target.OffsetOf(first);
            foreach (var chunk in signatures[r])
            {
                var found = held.TryGetValue(chunk.Hash, out var from);
                pieces.Add(new ChunkPiece(offset, chunk.Length, found ? path : null, from));
                offset += chunk.Length;
            }

            if (pieces.Any(p => p.Path is not null))
            {
                for (var i = first; i <= last; i++)
                {
                    split[i] = Within(pieces, target.OffsetOf(i), target.OffsetOf(i) + target.LengthOf(i));
                }
            }
        }

        return split;
    }

    /// <summary>
    /// Runs of chunks to fetch with a likely local predecessor: between a held chunk and the next held one in the same
    /// file, before the first held one (from the file's start), or after the last one (to the file's end: a zip's
    /// central directory, which changes with every entry that does).
    /// </summary>
    private static List<(int First, int Last, string Path, long LocalStart, int LocalLength)> Candidates(DeltaPlan plan, Func<string, SafeFileHandle?> open, int start, int end)
    {
        var target = plan.Target;
        var runs = new List<(int, int, string, long, int)>();
        for (var i = start; i < end; i++)
        {
            if (plan.TryLocal(target.HashOf(i), out _))
            {
                continue;
            }

            var first = i;
            while (i + 1 < end && !plan.TryLocal(target.HashOf(i + 1), out _))
            {
                i++;
            }

            LocalChunk before = default, after = default;
            var hasBefore = first > 0 && plan.TryLocal(target.HashOf(first - 1), out before);
            var hasAfter = i + 1 < target.Count && plan.TryLocal(target.HashOf(i + 1), out after);
            (string Path, long Start, long End)? local = (hasBefore, hasAfter) switch
            {
                (true, true) when string.Equals(before.Path, after.Path, StringComparison.Ordinal) => (after.Path, before.Offset + before.Length, after.Offset),
                (false, true) when first == 0 => (after.Path, 0, after.Offset),
                (true, false) when i + 1 == target.Count && LengthOf(open, before.Path) is { } length => (before.Path, before.Offset + before.Length, Math.Min(length, before.Offset + before.Length + LongestLocalRange)),
                _ => null,
            };
            var runLength = target.OffsetOf(i) + target.LengthOf(i) - target.OffsetOf(first);
            if (local is var (path, localStart, localEnd) && localEnd - localStart is > 0 and <= LongestLocalRange && runLength <= LongestRun)
            {
                runs.Add((first, i, path, localStart, (int)(localEnd - localStart)));
            }
        }

        return runs;
    }

    private static long? LengthOf(Func<string, SafeFileHandle?> open, string path)
    {
        try
        {
            return open(path) is { } file ? RandomAccess.GetLength(file) : null;
        }
        catch (IOException)
        {
            return null;
        }
    }

    /// <summary>The pieces of [<paramref name="from"/>, <paramref name="to"/>), cut at its ends, neighbours from the same place joined.</summary>
    private static List<ChunkPiece> Within(List<ChunkPiece> pieces, long from, long to)
    {
        var within = new List<ChunkPiece>();
        foreach (var piece in pieces)
        {
            var start = Math.Max(from, piece.Offset);
            var stop = Math.Min(to, piece.End);
            if (start >= stop)
            {
                continue;
            }

            var cut = new ChunkPiece(start, (int)(stop - start), piece.Path, piece.SourceOffset + (start - piece.Offset));
            if (within.Count > 0 && within[^1] is var last && string.Equals(last.Path, cut.Path, StringComparison.Ordinal)
                && last.End == cut.Offset && (cut.Path is null || last.SourceOffset + last.Length == cut.SourceOffset))
            {
                within[^1] = last with { Length = last.Length + cut.Length };
            }
            else
            {
                within.Add(cut);
            }
        }

        return within;
    }
}
