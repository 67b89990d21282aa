using System.Runtime.CompilerServices;
using Aar.IO;
using Aar.Protocol.Registry;
using Aar.Server.Storage.Hashing;

namespace Aar.Server.Storage;

/// <summary>
/// Blobs as files under <c>&lt;root&gt;/sha256/ab/abcd…</c>. Writes go to <c>&lt;root&gt;/.tmp/</c> (same file
/// system), are hashed while streaming, fsynced, verified, and made visible by one rename, so a reader or a crash
/// never sees part of a blob. Paths are built only from a parsed <see cref="BlobDigest"/> (64 hex characters), so
/// no request can name a path outside the store.
/// </summary>
internal sealed partial class FileSystemBlobStore : IBlobStore
{
    private readonly string _root;
    private readonly string _temporary;
    private readonly string _quarantine;

    /// <param name="root">The blobs directory.</param>
    /// <param name="quarantine">Where damaged blobs go (same file system, so a rename); default: <c>quarantine</c> next to <paramref name="root"/>.</param>
    public FileSystemBlobStore(string root, string? quarantine = null)
    {
        _root = root;
        _quarantine = quarantine ?? Path.Combine(Path.GetDirectoryName(Path.GetFullPath(root))!, "quarantine");
        _temporary = Path.Combine(root, ".tmp");
        DurableDirectory.Create(Path.Combine(root, "sha256"));
        DurableDirectory.Create(_temporary);
    }

    /// <summary>The directory for temporary files; the same file system as the blobs, so a rename is atomic.</summary>
    public string TemporaryDirectory => _temporary;

    /// <summary>
    /// Deletes temporary files left by a server that was killed mid-write. Only safe at start, while the data
    /// directory lock guarantees no other writer.
    /// </summary>
    public int DeleteOrphanedTemporaryFiles()
    {
        var count = 0;
        foreach (var file in Directory.EnumerateFiles(_temporary))
        {
            File.Delete(file);
            count++;
        }

        return count;
    }

    public string PathOf(BlobDigest digest) => Path.Combine(_root, "sha256", digest.Hex[..2], digest.Hex);

    public Task<long?> GetSizeAsync(BlobDigest digest, CancellationToken cancellationToken)
    {
        var info = new FileInfo(PathOf(digest));
        return Task.FromResult(info.Exists ? info.Length : (long?)null);
    }

    public Task<BlobContent?> OpenReadAsync(BlobDigest digest, CancellationToken cancellationToken)
    {
        var path = PathOf(digest);
        var info = new FileInfo(path);
        return Task.FromResult(info.Exists
            ? new BlobContent(digest, info.Length, path, (offset, _, _) => Task.FromResult<Stream>(OpenFile(path, offset)))
            : null);
    }

    private static FileStream OpenFile(string path, long offset)
    {
        var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read | FileShare.Delete, 1, FileOptions.SequentialScan);
        stream.Position = offset;
        return stream;
    }

    public async Task<BlobPutResult> PutAsync(Stream content, BlobDigest expected, long size, CancellationToken cancellationToken)
    {
        var temporary = Path.Combine(_temporary, Guid.NewGuid().ToString("n"));
        try
        {
            IngestResult ingest;
            BlobDigest actual;
            using (var handle = File.OpenHandle(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, FileOptions.None, size))
            using (var hash = ResumableSha256.Create())
            {
                ingest = await StreamIngest.CopyAsync(content, handle, 0, size, hash, long.MaxValue, null, cancellationToken);
                actual = BlobDigest.FromHash(hash.Finish());
                if (ingest.End == IngestEnd.Completed && ingest.Written == size && actual == expected)
                {
                    RandomAccess.FlushToDisk(handle);
                }
            }

            var outcome = ingest.End switch
            {
                IngestEnd.Failed => BlobPutOutcome.Incomplete,
                IngestEnd.TooLong => BlobPutOutcome.SizeMismatch,
                _ when ingest.Written != size => BlobPutOutcome.SizeMismatch,
                _ when actual != expected => BlobPutOutcome.DigestMismatch,
                _ => BlobPutOutcome.Created,
            };
            if (outcome != BlobPutOutcome.Created)
            {
                return new BlobPutResult(outcome, actual, ingest.Written, ingest.Error);
            }

            return Publish(temporary, expected, size);
        }
        finally
        {
            File.Delete(temporary);
        }
    }

    /// <summary>
    /// Moves a local file whose size and digest the caller has already verified (a finished upload session) into
    /// the store. The file is consumed either way.
    /// </summary>
    public Task<BlobPutResult> CommitVerifiedFileAsync(string path, BlobDigest digest, long size)
    {
        try
        {
            return Task.FromResult(Publish(path, digest, size));
        }
        finally
        {
            File.Delete(path);
        }
    }

    public Task<bool> DeleteAsync(BlobDigest digest, CancellationToken cancellationToken)
    {
        var path = PathOf(digest);
        if (!File.Exists(path))
        {
            return Task.FromResult(false);
        }

        File.Delete(path);
        DeleteSidecars(digest);
        DurableDirectory.Flush(Path.GetDirectoryName(path)!);
        return Task.FromResult(true);
    }

    /// <summary>
    /// Renames the blob to <c>quarantine/&lt;hex&gt;.&lt;unix-ms&gt;</c>: one rename, so a reader sees the blob or
    /// nothing, and a download already open keeps reading the file it opened. Both directories are fsynced.
    /// </summary>
    public Task<bool> QuarantineAsync(BlobDigest digest, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var path = PathOf(digest);
        DurableDirectory.Create(_quarantine, FileModes.Directory);
        var target = Path.Combine(_quarantine, $"{digest.Hex}.{now.ToUnixTimeMilliseconds()}");
        try
        {
            File.Move(path, target, overwrite: false);
        }
        catch (FileNotFoundException)
        {
            return Task.FromResult(false);
        }
        catch (DirectoryNotFoundException)
        {
            return Task.FromResult(false);
        }

        DeleteSidecars(digest);
        DurableDirectory.Flush(Path.GetDirectoryName(path)!);
        DurableDirectory.Flush(_quarantine);
        return Task.FromResult(true);
    }

    public Task<bool> TouchAsync(BlobDigest digest, DateTimeOffset now, CancellationToken cancellationToken)
    {
        try
        {
            File.SetLastWriteTimeUtc(PathOf(digest), now.UtcDateTime);
            return Task.FromResult(true);
        }
        catch (FileNotFoundException)
        {
            return Task.FromResult(false);
        }
        catch (DirectoryNotFoundException)
        {
            return Task.FromResult(false);
        }
    }

    public async IAsyncEnumerable<StoredBlob> ListAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await Task.CompletedTask;
        foreach (var file in new DirectoryInfo(Path.Combine(_root, "sha256")).EnumerateFiles("*", SearchOption.AllDirectories))
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (BlobDigest.TryParse(BlobDigest.Prefix + file.Name, out var digest) && file.Directory?.Name == digest.Hex[..2])
            {
                yield return new StoredBlob(digest, file.Length, new DateTimeOffset(file.LastWriteTimeUtc, TimeSpan.Zero));
            }
        }
    }

    /// <summary>
    /// Renames a verified, fsynced file into place. A blob that exists is never rewritten: a concurrent upload of
    /// the same content that lost the race just reports <see cref="BlobPutOutcome.AlreadyExists"/>.
    /// </summary>
    private BlobPutResult Publish(string source, BlobDigest digest, long size)
    {
        var target = PathOf(digest);
        var shard = Path.GetDirectoryName(target)!;
        if (File.Exists(target))
        {
            return new BlobPutResult(BlobPutOutcome.AlreadyExists, digest, size);
        }

        // A new shard directory is itself an entry of sha256/: flushed there before a blob is renamed into it.
        DurableDirectory.Create(shard);
        try
        {
            File.Move(source, target, overwrite: false);
        }
        catch (IOException) when (File.Exists(target))
        {
            return new BlobPutResult(BlobPutOutcome.AlreadyExists, digest, size);
        }

        DurableDirectory.Flush(shard);
        return new BlobPutResult(BlobPutOutcome.Created, digest, size);
    }
}
