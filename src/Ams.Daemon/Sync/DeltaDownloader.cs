using System.Globalization;
using System.Security.Cryptography;
using Aar.IO;
using Aar.Protocol.Chunking;
using Aar.Protocol.Registry;
using Ams.Daemon.Applications;
using Ams.Daemon.Storage;
using Microsoft.Win32.SafeHandles;

namespace Ams.Daemon.Sync;

/// <summary>What a delta attempt came to: the staged package, or null and why a whole download follows.</summary>
internal sealed record DeltaOutcome(StagedPackage? Staged, long Fetched, long Reused, string? WhyWhole);

/// <summary>
/// Downloads a package by difference: fetches the new version's chunk index, finds which of its chunks this AMS
/// already holds (in the packages it stores), fetches only the others with batched range reads, and assembles the
/// package in <c>registry/downloads</c>. Every chunk is checked against its SHA-256 before it is written and the
/// whole file against the version's digest at the end, so neither a lying registry nor a damaged local package can
/// make it import wrong bytes. Progress is recorded durably after each batch: a cut connection or a killed daemon
/// resumes at the last recorded chunk.
/// </summary>
internal sealed class DeltaDownloader(ApplicationCatalog applications, PackageStore packages)
{
    /// <summary>Below this a whole download is one round trip anyway: an index and a plan cannot pay.</summary>
    public const long SmallestPackage = 1L << 20;

    /// <summary>A delta that reuses less than this share of the package is not worth its index and its extra requests.</summary>
    public const double LeastReuse = 0.10;

    /// <summary>Bytes and ranges asked for in one batched range read (well under the registry's 256 MiB / 4,096).</summary>
    private const long BatchBytes = 16L << 20;
    private const int BatchRanges = 1024;

    /// <summary>The registry's own bound on ranges in one read (4,096 by default), with room to spare.</summary>
    private const int MostRanges = 4000;

    public async Task<DeltaOutcome> TryAsync(RegistryClient client, string application, BlobDigest digest, long size, string directory, IProgress<long> progress, IProgress<long>? saved, CancellationToken cancellationToken)
    {
        if (size < SmallestPackage)
        {
            return Whole($"it is smaller than {SmallestPackage} bytes");
        }

        var holdings = await applications.ListAsync(cancellationToken);
        if (!holdings.Any(a => a.Versions.Any(v => v.Status == VersionStatus.Ready)))
        {
            return Whole("this AMS holds no package to reuse");
        }

        ChunkIndex target;
        try
        {
            var fetched = await client.GetChunkIndexAsync(digest, cancellationToken);
            if (!fetched.Succeeded)
            {
                return Whole($"the registry serves no chunk index for it ({fetched.Problem!.Detail ?? fetched.Problem.Title})");
            }

            target = fetched.Value!;
        }
        catch (ChunkIndexFormatException ex)
        {
            throw new DeltaRefusedException($"The registry's chunk index for {digest} is refused: {ex.Message}");
        }

        if (target.Digest != digest || target.Length != size)
        {
            throw new DeltaRefusedException($"The registry's chunk index for {digest} describes {target.Digest} ({target.Length} bytes), not the listed package ({size} bytes).");
        }

        if (target.Parameters != ChunkParameters.Default || target.Parameters.Max > FileWrites.BatchSize)
        {
            // (The second test holds for the default: every chunk must fit one write batch of the assembly.)
            return Whole($"its chunk index uses chunk sizes {target.Parameters}, not this AMS's {ChunkParameters.Default}");
        }

        var plan = await DeltaPlan.CreateAsync(target, application, holdings, packages, cancellationToken);
        if (plan.Reused < size * LeastReuse)
        {
            return Whole($"only {plan.Reused} of its {size} bytes are held locally");
        }

        return await AssembleAsync(client, plan, directory, progress, saved, cancellationToken);
    }

    private static DeltaOutcome Whole(string why) => new(null, 0, 0, why);

    private static async Task<DeltaOutcome> AssembleAsync(RegistryClient client, DeltaPlan plan, string directory, IProgress<long> progress, IProgress<long>? saved, CancellationToken cancellationToken)
    {
        var target = plan.Target;
        var path = Path.Combine(directory, target.Digest.Hex + ".delta");
        var marker = path + ".done";
        using var whole = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        using var sources = new SourceFiles();
        long fetched = 0, reused = 0;
        using (var file = File.OpenHandle(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None))
        {
            var next = await ResumeAsync(file, marker, target, whole, cancellationToken);
            progress.Report(next < target.Count ? target.OffsetOf(next) : target.Length);
            // Chunks are gathered into batches that are hashed (the whole SHA-256) and written on other cores while
            // this one reads and checks the next chunks: one thread doing all of it in turn was the assembly's
            // bottleneck. The writer drops behind, as a whole download does: the new package's pages are recycled
            // window by window instead of taking a GiB of pages never touched before, which cost this VM ~2.5 s per
            // GiB in the kernel's copies (the held packages' pages are dropped the same way as they are read, see
            // SourceFiles).
            await using var writer = new PipelinedFileWriter(file, next < target.Count ? target.OffsetOf(next) : target.Length, whole.AppendData, dropBehind: true);
            var filled = 0;
            while (next < target.Count)
            {
                var end = BatchEnd(plan, next);
                var split = await FinePieces.PlanAsync(client, plan, sources.Open, next, end, cancellationToken);
                var ranges = RemoteRuns(plan, next, end, split);
                if (ranges.Count > MostRanges)
                {
                    // Fine pieces would ask for more ranges than the registry serves at once: whole chunks instead.
                    split.Clear();
                    ranges = RemoteRuns(plan, next, end, split);
                }

                Stream? remote = null;
                try
                {
                    if (ranges.Count > 0)
                    {
                        var answer = await client.ReadRangesAsync(target.Digest, ranges, cancellationToken);
                        remote = answer.Succeeded ? answer.Value! : throw new HttpRequestException($"the registry refused a range read: {answer.Problem!.Detail ?? answer.Problem.Title}");
                    }

                    var remoteChunks = new HashSet<int>(Enumerable.Range(next, end - next).Where(i => !plan.TryLocal(target.HashOf(i), out _)));
                    for (var i = next; i < end; i++)
                    {
                        var length = target.LengthOf(i);
                        if (filled + length > FileWrites.BatchSize)
                        {
                            await writer.SubmitAsync(filled);
                            filled = 0;
                        }

                        var bytes = writer.Buffer.Slice(filled, length);
                        if (split.TryGetValue(i, out var pieces))
                        {
                            // Fine pieces, some read locally: a chunk that does not hash right (a lying signature or
                            // a damaged local package) is fetched whole like a damaged local chunk below.
                            var (fromRemote, fromLocal) = await FillAsync(pieces, remote, sources, bytes, target, i, cancellationToken);
                            fetched += fromRemote;
                            if (ChunkHash.Of(bytes.Span) == target.HashOf(i))
                            {
                                reused += fromLocal;
                                saved?.Report(reused);
                            }
                            else
                            {
                                fetched += await FetchOneAsync(client, bytes, target, i, cancellationToken);
                            }
                        }
                        else if (remoteChunks.Contains(i))
                        {
                            await ReadExactlyAsync(remote!, bytes, target, i, cancellationToken);
                            Check(bytes.Span, target, i, "the registry's bytes for");
                            fetched += length;
                        }
                        else if (await CopyLocalAsync(plan, sources, target, i, bytes, cancellationToken))
                        {
                            reused += length;
                            saved?.Report(reused);
                        }
                        else
                        {
                            // A damaged local copy: that one chunk comes from the registry instead.
                            fetched += await FetchOneAsync(client, bytes, target, i, cancellationToken);
                        }

                        filled += length;
                        progress.Report(target.OffsetOf(i) + length);
                    }
                }
                finally
                {
                    if (remote is not null)
                    {
                        await remote.DisposeAsync();
                    }
                }

                // The batch is on disk before the marker says so: a resume re-hashes exactly what it names.
                await writer.SubmitAsync(filled);
                filled = 0;
                await writer.CompleteAsync();
                RandomAccess.FlushToDisk(file);
                next = end;
                await RecordAsync(marker, next, cancellationToken);
            }

            RandomAccess.SetLength(file, target.Length);
        }

        if (BlobDigest.FromHash(whole.GetHashAndReset()) != target.Digest)
        {
            Discard(path);
            throw new DeltaRefusedException($"The package assembled for {target.Digest} does not match that digest (the registry's chunk index lies about it).");
        }

        File.Delete(marker);
        return new DeltaOutcome(new StagedPackage(path, target.Digest.Hex, target.Length, target), fetched, reused, null);
    }

    /// <summary>Fetches chunk <paramref name="chunk"/> alone into <paramref name="bytes"/> and checks it; returns its length.</summary>
    private static async Task<int> FetchOneAsync(RegistryClient client, Memory<byte> bytes, ChunkIndex target, int chunk, CancellationToken cancellationToken)
    {
        var single = await client.ReadRangesAsync(target.Digest, [new ByteRange(target.OffsetOf(chunk), bytes.Length)], cancellationToken);
        await using var stream = single.Succeeded ? single.Value! : throw new HttpRequestException($"the registry refused a range read: {single.Problem!.Detail ?? single.Problem.Title}");
        await ReadExactlyAsync(stream, bytes, target, chunk, cancellationToken);
        Check(bytes.Span, target, chunk, "the registry's bytes for");
        return bytes.Length;
    }

    /// <summary>
    /// Fills <paramref name="bytes"/> (chunk <paramref name="chunk"/>) from its fine pieces: the registry's from the
    /// range answer, in order, the others from local packages (an unreadable one leaves zeros, which the caller's
    /// hash check catches). Returns the bytes read from each side.
    /// </summary>
    private static async Task<(long Remote, long Local)> FillAsync(List<ChunkPiece> pieces, Stream? remote, SourceFiles sources, Memory<byte> bytes, ChunkIndex target, int chunk, CancellationToken cancellationToken)
    {
        long fromRemote = 0, fromLocal = 0;
        var start = target.OffsetOf(chunk);
        foreach (var piece in pieces)
        {
            var into = bytes.Slice((int)(piece.Offset - start), piece.Length);
            if (piece.Path is null)
            {
                await ReadExactlyAsync(remote!, into, target, chunk, cancellationToken);
                fromRemote += piece.Length;
                continue;
            }

            into.Span.Clear();
            try
            {
                if (sources.Open(piece.Path) is { } file)
                {
                    await RandomAccess.ReadAsync(file, into, piece.SourceOffset, cancellationToken);
                }
            }
            catch (IOException)
            {
                // Unreadable: the chunk will not hash right and is fetched whole.
            }

            fromLocal += piece.Length;
        }

        return (fromRemote, fromLocal);
    }

    /// <summary>The first chunk not yet written and fsynced, re-hashing the ones before it into <paramref name="whole"/>.</summary>
    private static async Task<int> ResumeAsync(SafeFileHandle file, string marker, ChunkIndex target, IncrementalHash whole, CancellationToken cancellationToken)
    {
        var done = 0;
        if (File.Exists(marker) && int.TryParse(await File.ReadAllTextAsync(marker, cancellationToken), NumberStyles.None, CultureInfo.InvariantCulture, out var recorded) && recorded <= target.Count)
        {
            done = recorded;
        }

        var prefix = done == 0 ? 0 : target.OffsetOf(done - 1) + target.LengthOf(done - 1);
        if (RandomAccess.GetLength(file) < prefix)
        {
            done = 0;
            prefix = 0;
        }

        var buffer = new byte[FileWrites.BatchSize];
        for (long offset = 0; offset < prefix;)
        {
            var read = await RandomAccess.ReadAsync(file, buffer.AsMemory(0, (int)Math.Min(buffer.Length, prefix - offset)), offset, cancellationToken);
            whole.AppendData(buffer, 0, read);
            offset += read;
        }

        return done;
    }

    private static async Task RecordAsync(string marker, int next, CancellationToken cancellationToken)
    {
        var temporary = marker + ".tmp";
        await File.WriteAllTextAsync(temporary, next.ToString(CultureInfo.InvariantCulture), cancellationToken);
        DurableDirectory.Move(temporary, marker, overwrite: true);
    }

    /// <summary>Where the batch that starts at chunk <paramref name="start"/> ends: bounded in fetched bytes and ranges.</summary>
    private static int BatchEnd(DeltaPlan plan, int start)
    {
        var target = plan.Target;
        long bytes = 0;
        var runs = 0;
        var previousRemote = false;
        var i = start;
        for (; i < target.Count; i++)
        {
            var remote = !plan.TryLocal(target.HashOf(i), out _);
            if (remote)
            {
                if (!previousRemote && ++runs > BatchRanges)
                {
                    break;
                }

                bytes += target.LengthOf(i);
                if (bytes > BatchBytes && i > start)
                {
                    break;
                }
            }

            previousRemote = remote;
        }

        return i;
    }

    /// <summary>
    /// The bytes to fetch in [start, end): the chunks not held, or of a chunk the fine level split only its pieces not
    /// held; adjacent ones coalesced into one range.
    /// </summary>
    private static List<ByteRange> RemoteRuns(DeltaPlan plan, int start, int end, Dictionary<int, List<ChunkPiece>> split)
    {
        var target = plan.Target;
        var ranges = new List<ByteRange>();
        void Add(long offset, long length)
        {
            if (ranges.Count > 0 && ranges[^1].End == offset)
            {
                ranges[^1] = ranges[^1] with { Length = ranges[^1].Length + length };
            }
            else
            {
                ranges.Add(new ByteRange(offset, length));
            }
        }

        for (var i = start; i < end; i++)
        {
            if (split.TryGetValue(i, out var pieces))
            {
                foreach (var piece in pieces.Where(p => p.Path is null))
                {
                    Add(piece.Offset, piece.Length);
                }
            }
            else if (!plan.TryLocal(target.HashOf(i), out _))
            {
                Add(target.OffsetOf(i), target.LengthOf(i));
            }
        }

        return ranges;
    }

    /// <summary>Copies a chunk from a local package if its bytes there still hash right; false (and forgotten) if not.</summary>
    private static async Task<bool> CopyLocalAsync(DeltaPlan plan, SourceFiles sources, ChunkIndex target, int chunk, Memory<byte> bytes, CancellationToken cancellationToken)
    {
        var hash = target.HashOf(chunk);
        if (!plan.TryLocal(hash, out var local))
        {
            return false;
        }

        try
        {
            if (sources.Open(local.Path) is { } source)
            {
                var read = await RandomAccess.ReadAsync(source, bytes, local.Offset, cancellationToken);
                sources.Consumed(source, local.Offset, read);
                if (read == bytes.Length && ChunkHash.Of(bytes.Span) == hash)
                {
                    return true;
                }
            }
        }
        catch (IOException)
        {
            // Unreadable: the same as damaged.
        }

        plan.Forget(hash);
        return false;
    }

    /// <summary>
    /// The local packages a delta reads from, each opened once for the whole assembly: opening one per chunk (about
    /// 15,000 per GiB) cost the opens and, worse, the kernel's readahead, which follows one open file, so every 64 KiB
    /// read of a package not in the page cache waited for the disk on its own.
    /// </summary>
    internal sealed class SourceFiles : IDisposable
    {
        private readonly Dictionary<string, SafeFileHandle?> _open = new(StringComparer.Ordinal);

        /// <summary>The package's handle, or null when it cannot be opened (gone or unreadable: the same as damaged).</summary>
        public SafeFileHandle? Open(string path)
        {
            if (!_open.TryGetValue(path, out var handle))
            {
                try
                {
                    handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
                }
                catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException or IOException or UnauthorizedAccessException)
                {
                    handle = null;
                }

                _open[path] = handle;
            }

            return handle;
        }

        // Per open package, the run of bytes read one after the other and not yet dropped from the page cache.
        private readonly Dictionary<SafeFileHandle, (long Start, long End)> _read = [];

        /// <summary>
        /// Bytes were read from <paramref name="handle"/>: they are dropped from the page cache once a run of reads
        /// one after the other reaches <see cref="Writeback.Window"/> or breaks (the same drop-behind as a package's
        /// upload; a held package read for a delta is not read again soon, and its pages are recycled for the next
        /// reads instead of new ones).
        /// </summary>
        public void Consumed(SafeFileHandle handle, long offset, int length)
        {
            if (_read.TryGetValue(handle, out var run) && run.End == offset && run.End - run.Start < Writeback.Window)
            {
                _read[handle] = (run.Start, offset + length);
                return;
            }

            if (run.End > run.Start)
            {
                Writeback.DropRead(handle, run.Start, run.End - run.Start);
            }

            _read[handle] = (offset, offset + length);
        }

        public void Dispose()
        {
            foreach (var (handle, run) in _read)
            {
                Writeback.DropRead(handle, run.Start, run.End - run.Start);
            }

            foreach (var handle in _open.Values)
            {
                handle?.Dispose();
            }
        }
    }

    private static async Task ReadExactlyAsync(Stream stream, Memory<byte> bytes, ChunkIndex target, int chunk, CancellationToken cancellationToken)
    {
        try
        {
            await stream.ReadExactlyAsync(bytes, cancellationToken);
        }
        catch (EndOfStreamException)
        {
            throw new DeltaRefusedException($"The registry's range answer for {target.Digest} ended before chunk {chunk}.");
        }
    }

    private static void Check(ReadOnlySpan<byte> bytes, ChunkIndex target, int chunk, string what)
    {
        if (ChunkHash.Of(bytes) != target.HashOf(chunk))
        {
            throw new DeltaRefusedException($"{char.ToUpperInvariant(what[0])}{what[1..]} chunk {chunk} of {target.Digest} do not match its SHA-256 in the chunk index.");
        }
    }

    public static void Discard(string path)
    {
        File.Delete(path);
        File.Delete(path + ".done");
    }
}
