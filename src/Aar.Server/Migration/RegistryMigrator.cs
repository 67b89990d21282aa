using Aar.Server.Data;
using Aar.Server.Storage;

namespace Aar.Server.Migration;

/// <summary>One step of a migration, for progress output.</summary>
public sealed record MigrationStep(string Digest, long Size, int Index, int Count, bool Copied);

/// <summary>What a migration moved.</summary>
public sealed record MigrationReport(IReadOnlyDictionary<string, long> Rows, long Generation, int BlobsCopied, int BlobsAlreadyThere, long Bytes, long UploadSessionsLeft);

/// <summary>
/// Moves an embedded registry (SQLite + blob files) into shared backends: every blob a version names is copied and
/// verified first (re-runnable: blobs already there are skipped), then all metadata rows in ONE target transaction, so
/// the target database is either untouched or complete. The target must be empty; the source must be stopped (the
/// caller holds its data directory lock).
/// </summary>
internal sealed class RegistryMigrator(RegistryDatabase source, IBlobStore sourceBlobs, RegistryDatabase target, IBlobStore targetBlobs)
{
    public async Task<MigrationReport> RunAsync(IProgress<MigrationStep>? progress, CancellationToken cancellationToken)
    {
        await source.MigrateAsync(cancellationToken);
        await target.MigrateAsync(cancellationToken);
        await using var from = await source.OpenAsync(cancellationToken);
        await using var to = await target.OpenAsync(cancellationToken);
        await EnsureEmptyAsync(to, null, cancellationToken);
        var counts = await MetadataCopy.CountAsync(from, null, cancellationToken);

        var blobs = await BlobCopy.NamedBlobsAsync(from, cancellationToken);
        int copied = 0, alreadyThere = 0;
        long bytes = 0;
        for (var i = 0; i < blobs.Count; i++)
        {
            var outcome = await BlobCopy.CopyAsync(sourceBlobs, targetBlobs, blobs[i], cancellationToken);
            if (outcome == BlobCopyOutcome.Copied)
            {
                copied++;
                bytes += blobs[i].Size;
            }
            else
            {
                alreadyThere++;
            }

            progress?.Report(new MigrationStep(blobs[i].Digest.ToString(), blobs[i].Size, i + 1, blobs.Count, outcome == BlobCopyOutcome.Copied));
        }

        await using var transaction = await target.BeginWriteAsync(to, cancellationToken);
        // Again inside the transaction: another migration may have filled the target while the blobs were copied.
        await EnsureEmptyAsync(to, transaction, cancellationToken);
        var rows = await MetadataCopy.CopyAsync(from, to, transaction, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return new MigrationReport(rows, counts.Generation, copied, alreadyThere, bytes, counts.Rows["upload_sessions"]);
    }

    private static async Task EnsureEmptyAsync(System.Data.Common.DbConnection target, System.Data.Common.DbTransaction? transaction, CancellationToken cancellationToken)
    {
        var existing = await MetadataCopy.CountAsync(target, transaction, cancellationToken);
        if (!existing.IsEmpty)
        {
            var (certificates, applications) = (existing.Rows["trusted_certificates"], existing.Rows["applications"]);
            throw new MigrationException($"The target database already holds a registry (generation {existing.Generation}, {certificates} trusted certificate{(certificates == 1 ? "" : "s")}, {applications} application{(applications == 1 ? "" : "s")}); migrate into an empty database, or drop and re-create it first.");
        }
    }
}
