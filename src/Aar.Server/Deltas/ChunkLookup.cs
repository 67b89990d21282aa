using Aar.Protocol.Registry;
using Aar.Server.Storage;

namespace Aar.Server.Deltas;

/// <summary>
/// Answers "which of these chunks do you hold": looks the hashes up, drops locations in blobs that are gone (and
/// forgets those blobs), and joins consecutive asked chunks that lie back to back in one blob into runs, so the
/// publisher copies each run with one range.
/// </summary>
internal sealed class ChunkLookup(ChunkLocations locations, IBlobStore blobs, DeltaMetrics metrics)
{
    public async Task<ChunkMatches> FindAsync(IReadOnlyList<byte[]> hashes, CancellationToken cancellationToken)
    {
        var found = await locations.FindAsync(hashes, cancellationToken);
        var sizes = new Dictionary<BlobDigest, long?>();
        foreach (var blob in found.Where(f => f is not null).Select(f => f!.Value.Blob).Distinct())
        {
            sizes[blob] = await blobs.GetSizeAsync(blob, cancellationToken);
            if (sizes[blob] is null)
            {
                await locations.ForgetAsync(blob, cancellationToken);
            }
        }

        var names = new List<string>();
        var namedSizes = new List<long>();
        var index = new Dictionary<BlobDigest, int>();
        var runs = new List<ChunkRun>();
        long matched = 0;
        for (var i = 0; i < found.Length; i++)
        {
            if (found[i] is not { } at || sizes[at.Blob] is not { } size || at.Start > size - at.Length)
            {
                continue;
            }

            matched += at.Length;
            if (!index.TryGetValue(at.Blob, out var number))
            {
                number = index[at.Blob] = names.Count;
                names.Add(at.Blob.ToString());
                namedSizes.Add(size);
            }

            if (runs.Count > 0 && runs[^1] is var last && last.Blob == number && last.First + last.Count == i && last.Offset + last.Length == at.Start)
            {
                runs[^1] = last with { Count = last.Count + 1, Length = last.Length + at.Length };
            }
            else
            {
                runs.Add(new ChunkRun { First = i, Count = 1, Blob = number, Offset = at.Start, Length = at.Length });
            }
        }

        metrics.Looked(hashes.Count, matched);
        return new ChunkMatches { Blobs = names, Runs = runs, Sizes = namedSizes };
    }
}
