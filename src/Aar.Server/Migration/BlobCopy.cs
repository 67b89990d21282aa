using System.Data.Common;
using Aar.Protocol.Registry;
using Aar.Server.Storage;

namespace Aar.Server.Migration;

/// <summary>A blob the versions name, as the source database records it.</summary>
internal sealed record NamedBlob(BlobDigest Digest, long Size);

/// <summary>How one blob's copy went.</summary>
internal enum BlobCopyOutcome
{
    Copied,
    AlreadyThere,
}

/// <summary>
/// Copies the blobs that versions name from one store to another. The target store hashes every byte as it streams in
/// and refuses to make a blob visible unless size and SHA-256 match its name, so a blob damaged in the source stops
/// the migration instead of spreading; blobs no version names are garbage and stay behind.
/// </summary>
internal static class BlobCopy
{
    public static async Task<IReadOnlyList<NamedBlob>> NamedBlobsAsync(DbConnection source, CancellationToken cancellationToken)
    {
        await using var command = source.CreateCommand();
        command.CommandText = "SELECT digest, max(size) FROM versions GROUP BY digest ORDER BY digest";
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var blobs = new List<NamedBlob>();
        while (await reader.ReadAsync(cancellationToken))
        {
            if (!BlobDigest.TryParse(reader.GetString(0), out var digest))
            {
                throw new MigrationException($"The source database names a malformed digest '{reader.GetString(0)}'; run 'aar storage scrub' on the embedded registry and fix it before migrating.", MigrationFailure.DamagedSource);
            }

            blobs.Add(new NamedBlob(digest, reader.GetInt64(1)));
        }

        return blobs;
    }

    /// <summary>Copies one blob, verified on the way; throws <see cref="MigrationException"/> when it is missing or damaged.</summary>
    public static async Task<BlobCopyOutcome> CopyAsync(IBlobStore source, IBlobStore target, NamedBlob blob, CancellationToken cancellationToken)
    {
        if (await target.GetSizeAsync(blob.Digest, cancellationToken) == blob.Size)
        {
            // The target store only ever makes a blob visible under its digest after verifying it.
            return BlobCopyOutcome.AlreadyThere;
        }

        var content = await source.OpenReadAsync(blob.Digest, cancellationToken)
            ?? throw new MigrationException($"Blob {blob.Digest} ({blob.Size} bytes) is named by a version but missing from the embedded store; run 'aar storage scrub' to list the damage, restore the blob from a backup, then migrate again.", MigrationFailure.DamagedSource);
        if (content.Size != blob.Size)
        {
            throw new MigrationException($"Blob {blob.Digest} is {content.Size} bytes in the embedded store but its version says {blob.Size}; the store is damaged: restore the blob from a backup, then migrate again.", MigrationFailure.DamagedSource);
        }

        await using var stream = await content.OpenAsync(0, null, cancellationToken);
        var result = await target.PutAsync(stream, blob.Digest, blob.Size, cancellationToken);
        return result.Outcome switch
        {
            BlobPutOutcome.Created => BlobCopyOutcome.Copied,
            BlobPutOutcome.AlreadyExists => BlobCopyOutcome.AlreadyThere,
            BlobPutOutcome.DigestMismatch => throw new MigrationException($"Blob {blob.Digest} is damaged in the embedded store: its bytes hash to {result.Digest}; restore it from a backup (or delete the versions that name it), then migrate again. Nothing was written to the target database.", MigrationFailure.DamagedSource),
            BlobPutOutcome.SizeMismatch => throw new MigrationException($"Blob {blob.Digest} in the embedded store has {result.Size} bytes, not {blob.Size}; restore it from a backup, then migrate again. Nothing was written to the target database.", MigrationFailure.DamagedSource),
            _ => throw new MigrationException($"Copying blob {blob.Digest} failed ({result.Error?.Message ?? "the read ended early"}); run the migration again: blobs already copied are skipped.", MigrationFailure.CopyFailed, result.Error),
        };
    }
}
