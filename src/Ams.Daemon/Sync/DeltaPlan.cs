using Aar.Protocol.Chunking;
using Ams.Daemon.Applications;
using Ams.Daemon.Storage;

namespace Ams.Daemon.Sync;

/// <summary>Where a chunk can be copied from locally: a stored package file, at an offset.</summary>
internal readonly record struct LocalChunk(string Path, long Offset, int Length);

/// <summary>
/// The local chunks a new package can reuse: every chunk of the packages this AMS holds, looked up by SHA-256. The
/// same application's versions come first (newest first), so a chunk found in several packages is read from the
/// likeliest-cached one; at most <see cref="MostSources"/> packages are indexed, which bounds the work of a plan.
/// </summary>
internal sealed class DeltaPlan
{
    public const int MostSources = 8;

    private readonly Dictionary<ChunkHash, LocalChunk> _local = [];

    private DeltaPlan(ChunkIndex target) => Target = target;

    public ChunkIndex Target { get; }

    /// <summary>Bytes of the target found locally.</summary>
    public long Reused { get; private set; }

    public bool TryLocal(ChunkHash hash, out LocalChunk chunk) => _local.TryGetValue(hash, out chunk);

    /// <summary>Forgets a chunk whose local copy turned out damaged (it is fetched instead).</summary>
    public void Forget(ChunkHash hash) => _local.Remove(hash);

    public static async Task<DeltaPlan> CreateAsync(ChunkIndex target, string application, IReadOnlyList<LocalApplication> holdings, PackageStore packages, CancellationToken cancellationToken)
    {
        var plan = new DeltaPlan(target);
        var sources = holdings
            .OrderByDescending(a => string.Equals(a.Name, application, StringComparison.Ordinal))
            .SelectMany(a => a.Versions.Where(v => v.Status == VersionStatus.Ready).OrderByDescending(v => v.Number))
            .Select(v => v.Sha256)
            .Where(sha => sha != target.Digest.Hex)
            .Distinct(StringComparer.Ordinal)
            .Take(MostSources);
        foreach (var sha256 in sources)
        {
            if (await packages.GetChunkIndexAsync(sha256, cancellationToken) is not { } index || index.Parameters != target.Parameters)
            {
                continue;
            }

            var path = packages.PathOf(sha256);
            foreach (var chunk in index.Chunks())
            {
                plan._local.TryAdd(chunk.Hash, new LocalChunk(path, chunk.Offset, chunk.Length));
            }
        }

        foreach (var chunk in target.Chunks())
        {
            if (plan._local.ContainsKey(chunk.Hash))
            {
                plan.Reused += chunk.Length;
            }
        }

        return plan;
    }
}
