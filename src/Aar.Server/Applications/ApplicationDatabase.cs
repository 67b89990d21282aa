using System.Data.Common;
using System.Data;
using System.Globalization;
using Aar.Hosting;
using Aar.Protocol.Registry;
using Aar.Server.Data;

namespace Aar.Server.Applications;

internal enum WriteOutcome
{
    Created,
    Identical,
    DigestConflict,
    RetiredNumberConflict,
    OwnedByOther,
    NotFound,
    Deleted,
    BlobMissing,
    BlobSizeMismatch,
}

/// <summary>A write's outcome, with what the caller needs to explain it (the version, the owner or the other digest).</summary>
internal sealed record WriteResult(WriteOutcome Outcome, ApplicationVersion? Version = null, DeletionRecord? Deletion = null, string? Owner = null, string? ExistingDigest = null, long? StoredSize = null);

/// <summary>A new version to record.</summary>
internal sealed record NewVersion(string Name, string Architecture, int Version, string Digest, long Size, string Manifest, IReadOnlyList<string> Tags);

/// <summary>
/// Writes to applications and versions. Each is one write transaction (<see cref="RegistryDatabase.BeginWriteAsync"/>:
/// SQLite BEGIN IMMEDIATE, or the PostgreSQL registry_state row lock shared by all nodes), so two publishers racing
/// for the same name or version are ordered by the database and the loser sees the winner's row: checks and writes
/// cannot interleave. Every change bumps the generation and stamps it on what it wrote.
/// </summary>
internal sealed class ApplicationDatabase(RegistryDatabase database)
{
    /// <summary>
    /// Records a version. <paramref name="storedSize"/> looks the blob up inside the transaction, so the blob
    /// collector (which deletes only inside the same kind of transaction) cannot remove it in between.
    /// </summary>
    public async Task<WriteResult> CreateVersionAsync(NewVersion version, string publisher, DateTimeOffset now, Func<CancellationToken, Task<long?>> storedSize, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var transaction = await database.BeginWriteAsync(connection, cancellationToken);
        var owner = await OwnerAsync(connection, version.Name, version.Architecture, cancellationToken);
        if (owner is not null && !string.Equals(owner, publisher, StringComparison.Ordinal))
        {
            return new WriteResult(WriteOutcome.OwnedByOther, Owner: owner);
        }

        var existing = await ApplicationQueries.ReadVersionAsync(connection, version.Name, version.Architecture, version.Version, cancellationToken);
        if (existing is not null)
        {
            return string.Equals(existing.Digest, version.Digest, StringComparison.Ordinal) && existing.Size == version.Size
                ? new WriteResult(WriteOutcome.Identical, existing)
                : new WriteResult(WriteOutcome.DigestConflict, existing, ExistingDigest: existing.Digest);
        }

        // A deleted number keeps its digest (version_numbers): the same digest restores it (AMS revoke, then
        // publish again), another digest is the same conflict as with a live version, so no listing ever shows a
        // number naming two digests over time.
        var retired = await RetiredDigestAsync(connection, version, cancellationToken);
        if (retired is not null && !string.Equals(retired, version.Digest, StringComparison.Ordinal))
        {
            return new WriteResult(WriteOutcome.RetiredNumberConflict, ExistingDigest: retired);
        }

        var stored = await storedSize(cancellationToken);
        if (stored != version.Size)
        {
            return new WriteResult(stored is null ? WriteOutcome.BlobMissing : WriteOutcome.BlobSizeMismatch, StoredSize: stored);
        }

        var generation = await database.NextGenerationAsync(connection, cancellationToken);
        using var command = connection.CreateCommand();
        command.CommandText = """
            INSERT INTO applications (name, architecture, owner, created_at) VALUES (@name, @architecture, @publisher, @now)
                ON CONFLICT (name, architecture) DO NOTHING;
            INSERT INTO versions (name, architecture, version, digest, size, manifest, tags, created_at, publisher, generation)
                VALUES (@name, @architecture, @version, @digest, @size, @manifest, @tags, @now, @publisher, @generation);
            INSERT INTO version_numbers (name, architecture, version, digest) VALUES (@name, @architecture, @version, @digest)
                ON CONFLICT (name, architecture, version) DO NOTHING;
            """;
        command.Add("@name", version.Name);
        command.Add("@architecture", version.Architecture);
        command.Add("@version", version.Version);
        command.Add("@digest", version.Digest);
        command.Add("@size", version.Size);
        command.Add("@manifest", version.Manifest);
        command.Add("@tags", VersionRows.WriteTags(version.Tags));
        command.Add("@now", DbTime.Format(now));
        command.Add("@publisher", publisher);
        command.Add("@generation", generation);
        await command.ExecuteNonQueryAsync(cancellationToken);
        var created = await ApplicationQueries.ReadVersionAsync(connection, version.Name, version.Architecture, version.Version, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        database.Generation.Advance(generation);
        return new WriteResult(WriteOutcome.Created, created);
    }

    /// <summary>Deletes one version (<paramref name="version"/> set) or a whole application; <paramref name="caller"/> null is the operator.</summary>
    public async Task<WriteResult> DeleteAsync(string name, string architecture, int? version, string? caller, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var transaction = await database.BeginWriteAsync(connection, cancellationToken);
        var owner = await OwnerAsync(connection, name, architecture, cancellationToken);
        if (owner is null)
        {
            return new WriteResult(WriteOutcome.NotFound);
        }

        if (caller is not null && !string.Equals(owner, caller, StringComparison.Ordinal))
        {
            return new WriteResult(WriteOutcome.OwnedByOther, Owner: owner);
        }

        if (version is { } number && await ApplicationQueries.ReadVersionAsync(connection, name, architecture, number, cancellationToken) is null)
        {
            return new WriteResult(WriteOutcome.NotFound, Owner: owner);
        }

        var generation = await database.NextGenerationAsync(connection, cancellationToken);
        using var command = connection.CreateCommand();
        command.CommandText = (version is null
            ? "DELETE FROM versions WHERE name = @name AND architecture = @architecture; DELETE FROM applications WHERE name = @name AND architecture = @architecture;"
            : "DELETE FROM versions WHERE name = @name AND architecture = @architecture AND version = @version;")
            + "INSERT INTO deletions (generation, name, architecture, version, deleted_at, deleted_by) VALUES (@generation, @name, @architecture, @version, @now, @by);";
        command.Add("@name", name);
        command.Add("@architecture", architecture);
        command.AddNullable("@version", version, DbType.Int32);
        command.Add("@generation", generation);
        command.Add("@now", DbTime.Format(now));
        command.Add("@by", caller ?? "operator");
        await command.ExecuteNonQueryAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        database.Generation.Advance(generation);
        return new WriteResult(WriteOutcome.Deleted, Deletion: new DeletionRecord { Generation = generation, Name = name, Architecture = architecture, Version = version, DeletedAt = now });
    }

    /// <summary>
    /// Runs <paramref name="delete"/> for a blob only if no version names it, inside a write transaction: a version
    /// being created at the same moment either commits first (and the blob is kept) or finds the blob gone.
    /// </summary>
    public async Task<bool> DeleteBlobIfUnreferencedAsync(string digest, Func<Task> delete, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var transaction = await database.BeginWriteAsync(connection, cancellationToken);
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT EXISTS (SELECT 1 FROM versions WHERE digest = @digest)";
        command.Add("@digest", digest);
        if (Convert.ToBoolean(await command.ExecuteScalarAsync(cancellationToken), CultureInfo.InvariantCulture))
        {
            return false;
        }

        await delete();
        await transaction.CommitAsync(cancellationToken);
        return true;
    }

    private static async Task<string?> RetiredDigestAsync(DbConnection connection, NewVersion version, CancellationToken cancellationToken)
    {
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT digest FROM version_numbers WHERE name = @name AND architecture = @architecture AND version = @version";
        command.Add("@name", version.Name);
        command.Add("@architecture", version.Architecture);
        command.Add("@version", version.Version);
        return (string?)await command.ExecuteScalarAsync(cancellationToken);
    }

    private static async Task<string?> OwnerAsync(DbConnection connection, string name, string architecture, CancellationToken cancellationToken)
    {
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT owner FROM applications WHERE name = @name AND architecture = @architecture";
        command.Add("@name", name);
        command.Add("@architecture", architecture);
        return (string?)await command.ExecuteScalarAsync(cancellationToken);
    }
}
