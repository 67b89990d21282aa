using Aar.Protocol.Chunking;
using Aar.IO;
using Ams.Daemon.Api;

namespace Ams.Daemon.Storage;

/// <summary>
/// Content-addressed package files: an upload is streamed to a staging file (hashed on the way, fsync-ed), and only
/// a validated package is moved atomically to <c>packages/sha256/&lt;hex&gt;</c>. Memory use does not depend on
/// package size: two pooled 256 KiB buffers per upload.
/// </summary>
internal sealed partial class PackageStore(StorageOptions options)
{
    /// <summary>Kestrel hands out small reads; they are gathered before hashing and writing (see <see cref="FileWrites.BatchSize"/>).</summary>
    private const int BatchSize = FileWrites.BatchSize;

    private const UnixFileMode FileMode0640 = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead;

    public string StagingDirectory => options.StagingDirectory;

    public string PathOf(string sha256) => Path.Combine(options.PackagesDirectory, sha256);

    /// <summary>Streams <paramref name="body"/> to a staging file; refuses (after reading the rest) a body over <paramref name="limit"/> bytes.</summary>
    public async Task<Result<StagedPackage>> ReceiveAsync(Stream body, long limit, string packageName, CancellationToken cancellationToken)
    {
        var path = Path.Combine(options.StagingDirectory, $"{Guid.NewGuid():N}.part");
        var completed = false;
        try
        {
            // The chunk index and the SHA-256 in the same pass (ChunkIndexBuilder computes both).
            using var hash = new ChunkIndexBuilder();
            long total = 0;
            await using (var file = new FileStream(path, new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, BufferSize = 0, UnixCreateMode = FileMode0640 }))
            {
                // Hash and write on other cores while the next batch is read from the socket (PipelinedFileWriter).
                await using var writer = new PipelinedFileWriter(file.SafeFileHandle, 0, data => hash.Append(data));
                int filled;
                while ((filled = await body.ReadAtLeastAsync(writer.Buffer, BatchSize, throwOnEndOfStream: false, cancellationToken)) > 0)
                {
                    total += filled;
                    if (total > limit)
                    {
                        await DrainAsync(body, writer.Buffer, cancellationToken);
                        return ApiProblem.TooLarge($"{packageName} is larger than {limit} bytes, this AMS's package size limit; make the package smaller or raise the limit with 'ams serve --max-package-size'.");
                    }

                    await writer.SubmitAsync(filled);
                }

                await writer.CompleteAsync();
                file.Flush(flushToDisk: true);
            }

            if (total == 0)
            {
                return ApiProblem.BadRequest($"{packageName} is empty: expected a .zip, .tar, .tar.gz or .tar.bz2 package.");
            }

            completed = true;
            var index = hash.Complete();
            return new StagedPackage(path, index.Digest.Hex, total, index);
        }
        finally
        {
            if (!completed)
            {
                File.Delete(path);
            }
        }
    }

    /// <summary>
    /// Makes a validated package permanent and durable: the staged file was fsynced when it arrived, the rename is
    /// fsynced here (the directory), so a caller may record the version as <c>ready</c> once this returns. Same
    /// content uploaded twice is stored once; a stored file of the wrong size (damaged) is replaced.
    /// </summary>
    public void Commit(StagedPackage staged)
    {
        var target = PathOf(staged.Sha256);
        if (File.Exists(target) && new FileInfo(target).Length == staged.Size)
        {
            File.Delete(staged.Path);
            return;
        }

        // The index first: a package never sits without one it could have had for free (a missing one is computed
        // on first use anyway).
        if (staged.Index is { } index && index.Digest.Hex == staged.Sha256)
        {
            WriteChunkIndex(staged.Sha256, index);
        }

        // Flushing packages/sha256 makes the rename itself durable: the database records the package as imported next.
        DurableDirectory.Move(staged.Path, target, overwrite: true);
    }

    /// <summary>The size of the stored package file, or null when it is missing.</summary>
    public long? SizeOf(string sha256)
    {
        var file = new FileInfo(PathOf(sha256));
        return file.Exists ? file.Length : null;
    }

    public static void Discard(StagedPackage staged) => File.Delete(staged.Path);

    public void Delete(string sha256)
    {
        File.Delete(PathOf(sha256));
        File.Delete(ChunkIndexPath(sha256));
    }

    /// <summary>Removes uploads a previous run left half-done (the daemon was stopped mid-upload).</summary>
    public void CleanStaging()
    {
        foreach (var file in Directory.EnumerateFiles(options.StagingDirectory))
        {
            File.Delete(file);
        }
    }

    private static async Task DrainAsync(Stream body, Memory<byte> buffer, CancellationToken cancellationToken)
    {
        // Reading the rest lets the client receive our answer instead of a broken pipe.
        while (await body.ReadAsync(buffer, cancellationToken) > 0)
        {
        }
    }
}
