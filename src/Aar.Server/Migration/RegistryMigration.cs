using Aar.Hosting;
using Aar.Server.Data;
using Aar.Server.Hosting;
using Aar.Server.Storage.S3;
using Aar.Server.Storage;

namespace Aar.Server.Migration;

/// <summary>
/// <c>aar migrate</c>: moves the embedded registry of a data directory (SQLite + blob files) into the shared backends
/// that <c>aar serve</c> would be given (<c>--database</c> PostgreSQL, <c>--blob-store s3</c>), so the same options
/// then start one or more nodes on the migrated data. The registry must be stopped: the data directory lock is held
/// for the whole run. The embedded files are left as they were (a fallback until the operator deletes them).
/// </summary>
public static class RegistryMigration
{
    /// <summary>Runs the migration; throws <see cref="MigrationException"/> or <see cref="StartupException"/> with one sentence.</summary>
    public static async Task<MigrationReport> RunAsync(ServeOptions target, IProgress<MigrationStep>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(target);
        var errors = ServeOptionsValidator.Validate(target);
        if (errors.Count > 0)
        {
            throw new MigrationException(string.Join(Environment.NewLine, errors), MigrationFailure.BadOptions);
        }

        if (string.IsNullOrWhiteSpace(target.Database))
        {
            throw new MigrationException("Nothing to migrate to: give the PostgreSQL database with --database (or AAR_DATABASE), and the S3 bucket with --blob-store s3 --s3-…, as you will give them to 'aar serve'.", MigrationFailure.BadOptions);
        }

        if (!PostgresConnectionString.TryParse(target.Database, out var connection, out var connectionError))
        {
            throw new MigrationException(connectionError!, MigrationFailure.BadOptions);
        }

        using var data = DataDirectory.Open(target.DataDirectory);
        if (!File.Exists(data.DatabasePath))
        {
            throw new MigrationException($"There is no embedded registry in {data.Root} (no aar.db); give the data directory of the registry to migrate with --data-dir.", MigrationFailure.NoSource);
        }

        await using var targetDatabase = new PostgresRegistryDatabase(connection!);
        using var s3 = target.BlobStore == "s3" ? new S3Connection(target.S3) : null;
        IBlobStore sourceBlobs = new FileSystemBlobStore(data.BlobsDirectory);
        IBlobStore targetBlobs = sourceBlobs;
        if (s3 is not null)
        {
            await s3.EnsureBucketAsync(cancellationToken);
            targetBlobs = new S3BlobStore(s3);
        }

        var migrator = new RegistryMigrator(new SqliteRegistryDatabase(data.DatabasePath), sourceBlobs, targetDatabase, targetBlobs);
        return await migrator.RunAsync(progress, cancellationToken);
    }
}
