using Aar.Protocol.Registry;
using Aar.Server.Data;
using Microsoft.Data.Sqlite;

namespace Aar.Server.Applications;

internal enum WriteOutcome
{
    Created,
    Identical,
    DigestConflict,
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
/// Writes to applications and versions. Each is one IMMEDIATE transaction (one writer at a time), so two publishers
/// racing for the same name or version are ordered by SQLite and the loser sees the winner's row: checks and writes
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
        using var transaction = connection.BeginTransaction(deferred: false);
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

        var stored = await storedSize(cancellationToken);
        if (stored != version.Size)
        {
            return new WriteResult(stored is null ? WriteOutcome.BlobMissing : WriteOutcome.BlobSizeMismatch, StoredSize: stored);
        }

        var generation = await NextGenerationAsync(connection, cancellationToken);
        using var command = connection.CreateCommand();
        command.CommandText = """
            INSERT INTO applications (name, architecture, owner, created_at) VALUES ($name, $architecture, $publisher, $now)
                ON CONFLICT (name, architecture) DO NOTHING;
            INSERT INTO versions (name, architecture, version, digest, size, manifest, tags, created_at, publisher, generation)
                VALUES ($name, $architecture, $version, $digest, $size, $manifest, $tags, $now, $publisher, $generation);
            """;
        command.Parameters.AddWithValue("$name", version.Name);
        command.Parameters.AddWithValue("$architecture", version.Architecture);
        command.Parameters.AddWithValue("$version", version.Version);
        command.Parameters.AddWithValue("$digest", version.Digest);
        command.Parameters.AddWithValue("$size", version.Size);
        command.Parameters.AddWithValue("$manifest", version.Manifest);
        command.Parameters.AddWithValue("$tags", VersionRows.WriteTags(version.Tags));
        command.Parameters.AddWithValue("$now", DbTime.Format(now));
        command.Parameters.AddWithValue("$publisher", publisher);
        command.Parameters.AddWithValue("$generation", generation);
        await command.ExecuteNonQueryAsync(cancellationToken);
        var created = await ApplicationQueries.ReadVersionAsync(connection, version.Name, version.Architecture, version.Version, cancellationToken);
        transaction.Commit();
        return new WriteResult(WriteOutcome.Created, created);
    }

    /// <summary>Deletes one version (<paramref name="version"/> set) or a whole application; <paramref name="caller"/> null is the operator.</summary>
    public async Task<WriteResult> DeleteAsync(string name, string architecture, int? version, string? caller, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        using var transaction = connection.BeginTransaction(deferred: false);
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

        var generation = await NextGenerationAsync(connection, cancellationToken);
        using var command = connection.CreateCommand();
        command.CommandText = (version is null
            ? "DELETE FROM versions WHERE name = $name AND architecture = $architecture; DELETE FROM applications WHERE name = $name AND architecture = $architecture;"
            : "DELETE FROM versions WHERE name = $name AND architecture = $architecture AND version = $version;")
            + "INSERT INTO deletions (generation, name, architecture, version, deleted_at, deleted_by) VALUES ($generation, $name, $architecture, $version, $now, $by);";
        command.Parameters.AddWithValue("$name", name);
        command.Parameters.AddWithValue("$architecture", architecture);
        command.Parameters.AddWithValue("$version", version is null ? DBNull.Value : version.Value);
        command.Parameters.AddWithValue("$generation", generation);
        command.Parameters.AddWithValue("$now", DbTime.Format(now));
        command.Parameters.AddWithValue("$by", caller ?? "operator");
        await command.ExecuteNonQueryAsync(cancellationToken);
        transaction.Commit();
        return new WriteResult(WriteOutcome.Deleted, Deletion: new DeletionRecord { Generation = generation, Name = name, Architecture = architecture, Version = version, DeletedAt = now });
    }

    /// <summary>
    /// Runs <paramref name="delete"/> for a blob only if no version names it, inside a write transaction: a version
    /// being created at the same moment either commits first (and the blob is kept) or finds the blob gone.
    /// </summary>
    public async Task<bool> DeleteBlobIfUnreferencedAsync(string digest, Func<Task> delete, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        using var transaction = connection.BeginTransaction(deferred: false);
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT EXISTS (SELECT 1 FROM versions WHERE digest = $digest)";
        command.Parameters.AddWithValue("$digest", digest);
        if ((long)(await command.ExecuteScalarAsync(cancellationToken))! != 0)
        {
            return false;
        }

        await delete();
        transaction.Commit();
        return true;
    }

    private static async Task<string?> OwnerAsync(SqliteConnection connection, string name, string architecture, CancellationToken cancellationToken)
    {
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT owner FROM applications WHERE name = $name AND architecture = $architecture";
        command.Parameters.AddWithValue("$name", name);
        command.Parameters.AddWithValue("$architecture", architecture);
        return (string?)await command.ExecuteScalarAsync(cancellationToken);
    }

    private static async Task<long> NextGenerationAsync(SqliteConnection connection, CancellationToken cancellationToken)
    {
        using var command = connection.CreateCommand();
        command.CommandText = "UPDATE registry_state SET generation = generation + 1 WHERE id = 1 RETURNING generation";
        return (long)(await command.ExecuteScalarAsync(cancellationToken))!;
    }
}
