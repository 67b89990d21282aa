using System.Text.Json;
using Aar.Hosting;
using Aar.Protocol.Management;
using Ams.Daemon.Data;
using Microsoft.Data.Sqlite;

namespace Ams.Daemon.Applications;

/// <summary>The applications' SQL: every query lives here; each change is one transaction.</summary>
internal sealed class ApplicationDatabase(AmsDatabase database)
{
    private const int SqliteConstraint = 19;

    public async Task<List<LocalApplication>> ListAsync(CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return await ApplicationRows.ReadAsync(connection, null, cancellationToken);
    }

    /// <summary>Finds an application by id, or else by exact name; null when neither matches.</summary>
    public async Task<LocalApplication?> FindAsync(string idOrName, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var found = await ApplicationRows.ReadAsync(connection, idOrName, cancellationToken);
        return found.FirstOrDefault(a => a.Id == idOrName) ?? found.FirstOrDefault();
    }

    /// <summary>Inserts a new application with its first version; false when the name is taken.</summary>
    public async Task<bool> InsertApplicationAsync(LocalApplication application, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync(cancellationToken);
        using (var insert = connection.CreateCommand())
        {
            insert.Transaction = transaction;
            insert.CommandText = """
                INSERT INTO applications (id, name, created_at, updated_at, next_version, immutable, origin_url, origin_fingerprint)
                VALUES ($id, $name, $now, $now, $next, $immutable, $origin_url, $origin_fingerprint)
                """;
            insert.Parameters.AddWithValue("$id", application.Id);
            insert.Parameters.AddWithValue("$name", application.Name);
            insert.Parameters.AddWithValue("$now", DbTime.Format(application.CreatedAt));
            insert.Parameters.AddWithValue("$next", application.Versions.Max(v => v.Number) + 1);
            insert.Parameters.AddWithValue("$immutable", application.Immutable ? 1 : 0);
            insert.Parameters.AddWithValue("$origin_url", (object?)application.Origin?.RegistryUrl ?? DBNull.Value);
            insert.Parameters.AddWithValue("$origin_fingerprint", (object?)application.Origin?.Fingerprint ?? DBNull.Value);
            try
            {
                await insert.ExecuteNonQueryAsync(cancellationToken);
            }
            catch (SqliteException ex) when (ex.SqliteErrorCode == SqliteConstraint)
            {
                return false;
            }
        }

        foreach (var version in application.Versions)
        {
            await InsertVersionAsync(connection, transaction, application.Id, version, cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
        return true;
    }

    /// <summary>
    /// Adds a version; returns its number. Without <paramref name="fixedNumber"/> it is the application's counter,
    /// which never goes back (a deleted number is never reused); registry imports keep the registry's number.
    /// </summary>
    public async Task<int> AddVersionAsync(string applicationId, LocalVersion version, CancellationToken cancellationToken, int? fixedNumber = null)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync(cancellationToken);
        using var next = connection.CreateCommand();
        next.Transaction = transaction;
        next.CommandText = fixedNumber is null
            ? "UPDATE applications SET next_version = next_version + 1, updated_at = $now WHERE id = $id RETURNING next_version - 1"
            : "UPDATE applications SET next_version = max(next_version, $fixed + 1), updated_at = $now WHERE id = $id RETURNING $fixed";
        next.Parameters.AddWithValue("$fixed", (object?)fixedNumber ?? DBNull.Value);
        next.Parameters.AddWithValue("$id", applicationId);
        next.Parameters.AddWithValue("$now", DbTime.Format(version.CreatedAt));
        var number = Convert.ToInt32(await next.ExecuteScalarAsync(cancellationToken), System.Globalization.CultureInfo.InvariantCulture);
        await InsertVersionAsync(connection, transaction, applicationId, version with { Number = number }, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return number;
    }

    public Task SetStatusAsync(string applicationId, int number, VersionStatus status, string? error, bool published, DateTimeOffset now, CancellationToken cancellationToken) =>
        ExecuteAsync(
            "UPDATE versions SET status = $status, error_message = $error, published = $published WHERE application_id = $id AND number = $number; UPDATE applications SET updated_at = $now WHERE id = $id",
            cancellationToken,
            ("$id", applicationId), ("$number", number), ("$status", status.ToWire()), ("$error", (object?)error ?? DBNull.Value), ("$published", published ? 1 : 0), ("$now", DbTime.Format(now)));

    /// <summary>Makes an imported version <c>ready</c> with its final manifest (which now knows about app.apk).</summary>
    public Task MarkReadyAsync(string applicationId, int number, bool published, ManifestInfo manifest, DateTimeOffset now, CancellationToken cancellationToken) =>
        ExecuteAsync(
            "UPDATE versions SET status = 'ready', error_message = NULL, published = $published, manifest = $manifest WHERE application_id = $id AND number = $number; UPDATE applications SET updated_at = $now WHERE id = $id",
            cancellationToken,
            ("$id", applicationId), ("$number", number), ("$published", published ? 1 : 0), ("$now", DbTime.Format(now)),
            ("$manifest", JsonSerializer.Serialize(manifest, ManagementJsonContext.Default.ManifestInfo)));

    /// <summary>Removes a reserved version whose package was refused, and gives its number back if nothing came after it.</summary>
    public Task ReleaseVersionAsync(string applicationId, int number, CancellationToken cancellationToken) =>
        ExecuteAsync(
            "DELETE FROM versions WHERE application_id = $id AND number = $number; UPDATE applications SET next_version = $number WHERE id = $id AND next_version = $number + 1",
            cancellationToken,
            ("$id", applicationId), ("$number", number));

    public Task DeleteApplicationAsync(string applicationId, CancellationToken cancellationToken) =>
        ExecuteAsync("DELETE FROM applications WHERE id = $id", cancellationToken, ("$id", applicationId));

    /// <summary>Deletes one of this AMS's own applications and records the deletion, in one transaction.</summary>
    public Task DeleteAndRecordApplicationAsync(LocalApplication application, DateTimeOffset now, CancellationToken cancellationToken) =>
        ExecuteInTransactionAsync(
            "DELETE FROM applications WHERE id = $id; " + RecordDeletion,
            cancellationToken,
            ("$id", application.Id), ("$name", application.Name), ("$number", LocalDeletion.WholeApplication), ("$now", DbTime.Format(now)));

    /// <summary>Deletes a version; with <paramref name="record"/>, also records the deletion, in one transaction.</summary>
    public Task DeleteVersionAsync(LocalApplication application, int number, bool record, DateTimeOffset now, CancellationToken cancellationToken) =>
        ExecuteInTransactionAsync(
            "DELETE FROM versions WHERE application_id = $id AND number = $number; UPDATE applications SET updated_at = $now WHERE id = $id" + (record ? "; " + RecordDeletion : ""),
            cancellationToken,
            ("$id", application.Id), ("$name", application.Name), ("$number", number), ("$now", DbTime.Format(now)));

    public async Task<List<LocalDeletion>> ListDeletionsAsync(CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT name, number, deleted_at FROM local_deletions ORDER BY name, number";
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var deletions = new List<LocalDeletion>();
        while (await reader.ReadAsync(cancellationToken))
        {
            deletions.Add(new LocalDeletion(reader.GetString(0), reader.GetInt32(1), DbTime.Parse(reader.GetString(2))));
        }

        return deletions;
    }

    public Task ForgetDeletionAsync(LocalDeletion deletion, CancellationToken cancellationToken) =>
        ExecuteAsync("DELETE FROM local_deletions WHERE name = $name AND number = $number", cancellationToken, ("$name", deletion.Name), ("$number", deletion.Number));

    public async Task<bool> IsPackageUsedAsync(string sha256, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT EXISTS (SELECT 1 FROM versions WHERE sha256 = $sha)";
        command.Parameters.AddWithValue("$sha", sha256);
        return Convert.ToInt64(await command.ExecuteScalarAsync(cancellationToken), System.Globalization.CultureInfo.InvariantCulture) == 1;
    }

    /// <summary>Versions a stopped daemon left half-imported become <c>error</c> with a reason the operator can act on.</summary>
    public Task<int> FailInterruptedAsync(string reason, CancellationToken cancellationToken) =>
        ExecuteAsync("UPDATE versions SET status = 'error', error_message = $reason WHERE status = 'initializing'", cancellationToken, ("$reason", reason));

    private static async Task InsertVersionAsync(SqliteConnection connection, SqliteTransaction transaction, string applicationId, LocalVersion version, CancellationToken cancellationToken)
    {
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = """
            INSERT INTO versions (application_id, number, status, error_message, published, created_at, sha256, size, manifest)
            VALUES ($id, $number, $status, $error, $published, $created_at, $sha, $size, $manifest)
            """;
        command.Parameters.AddWithValue("$id", applicationId);
        command.Parameters.AddWithValue("$number", version.Number);
        command.Parameters.AddWithValue("$status", version.Status.ToWire());
        command.Parameters.AddWithValue("$error", (object?)version.ErrorMessage ?? DBNull.Value);
        command.Parameters.AddWithValue("$published", version.Published ? 1 : 0);
        command.Parameters.AddWithValue("$created_at", DbTime.Format(version.CreatedAt));
        command.Parameters.AddWithValue("$sha", version.Sha256);
        command.Parameters.AddWithValue("$size", version.Size);
        command.Parameters.AddWithValue("$manifest", JsonSerializer.Serialize(version.Manifest, ManagementJsonContext.Default.ManifestInfo));
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private const string RecordDeletion = "INSERT OR REPLACE INTO local_deletions (name, number, deleted_at) VALUES ($name, $number, $now)";

    private async Task ExecuteInTransactionAsync(string sql, CancellationToken cancellationToken, params (string Name, object Value)[] parameters)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync(cancellationToken);
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value);
        }

        await command.ExecuteNonQueryAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
    }

    private async Task<int> ExecuteAsync(string sql, CancellationToken cancellationToken, params (string Name, object Value)[] parameters)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value);
        }

        return await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
