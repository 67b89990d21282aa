using System.Data.Common;
using System.Data;
using System.Globalization;
using Aar.Hosting;
using Aar.Server.Data;

namespace Aar.Server.Uploads;

/// <summary>
/// A persisted upload session: who opened it, how many bytes are durably stored, when it last moved, the SHA-256
/// state after exactly <see cref="Received"/> bytes (null: not saved, re-hash), and the staging backend's JSON.
/// </summary>
internal sealed record UploadRow(string Id, string Publisher, long Received, DateTimeOffset CreatedAt, DateTimeOffset LastActiveAt, byte[]? HashState = null, string? Staging = null);

/// <summary>The upload sessions' SQL; every query lives here. Parameters are <c>@name</c> so the SQL stays provider-neutral.</summary>
internal sealed class UploadDatabase(RegistryDatabase database)
{
    private const string Columns = "id, publisher, received, created_at, last_active_at, hash_state, staging";

    /// <summary>
    /// Inserts the session unless its publisher already has <paramref name="limit"/> open: counted and inserted in one
    /// write transaction (writers are serialized, on every node), so concurrent starts cannot overshoot the limit.
    /// </summary>
    public async Task<bool> InsertUnlessAtLimitAsync(UploadRow row, int limit, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var transaction = await database.BeginWriteAsync(connection, cancellationToken);
        await using (var count = connection.Command("SELECT count(*) FROM upload_sessions WHERE publisher = @publisher", transaction))
        {
            count.Add("@publisher", row.Publisher);
            if (Convert.ToInt64(await count.ExecuteScalarAsync(cancellationToken), CultureInfo.InvariantCulture) >= limit)
            {
                return false;
            }
        }

        await using var command = connection.Command($"INSERT INTO upload_sessions ({Columns}) VALUES (@id, @publisher, @received, @created, @active, @hash, @staging)", transaction);
        command.Add("@id", row.Id);
        command.Add("@publisher", row.Publisher);
        command.Add("@received", row.Received);
        command.Add("@created", DbTime.Format(row.CreatedAt));
        command.Add("@active", DbTime.Format(row.LastActiveAt));
        command.AddNullable("@hash", row.HashState, DbType.Binary);
        command.AddNullable("@staging", row.Staging, DbType.String);
        await command.ExecuteNonQueryAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return true;
    }

    /// <summary>How many sessions a publisher has open, and the bytes they hold (their recorded offsets).</summary>
    public async Task<(long Sessions, long Bytes)> UsageAsync(string publisher, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.Command("SELECT count(*), coalesce(sum(received), 0) FROM upload_sessions WHERE publisher = @publisher");
        command.Add("@publisher", publisher);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        return (Convert.ToInt64(reader.GetValue(0), CultureInfo.InvariantCulture), Convert.ToInt64(reader.GetValue(1), CultureInfo.InvariantCulture));
    }

    public async Task<UploadRow?> GetAsync(string id, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        using var command = connection.CreateCommand();
        command.CommandText = $"SELECT {Columns} FROM upload_sessions WHERE id = @id";
        command.Add("@id", id);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken) ? Read(reader) : null;
    }

    public async Task<List<UploadRow>> ListAsync(CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        using var command = connection.CreateCommand();
        command.CommandText = $"SELECT {Columns} FROM upload_sessions";
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var rows = new List<UploadRow>();
        while (await reader.ReadAsync(cancellationToken))
        {
            rows.Add(Read(reader));
        }

        return rows;
    }

    /// <summary>
    /// Records durable progress, only if the session still holds <paramref name="from"/> bytes: a writer on another
    /// node that moved it meanwhile wins, and this one learns it (false) instead of overwriting its offset.
    /// </summary>
    public async Task<bool> UpdateProgressAsync(string id, long from, long received, DateTimeOffset now, byte[]? hashState, string? staging, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        using var command = connection.CreateCommand();
        command.CommandText = "UPDATE upload_sessions SET received = @received, last_active_at = @active, hash_state = @hash, staging = @staging WHERE id = @id AND received = @from";
        command.Add("@id", id);
        command.Add("@from", from);
        command.Add("@received", received);
        command.Add("@active", DbTime.Format(now));
        command.AddNullable("@hash", hashState, DbType.Binary);
        command.AddNullable("@staging", staging, DbType.String);
        return await command.ExecuteNonQueryAsync(cancellationToken) == 1;
    }

    public async Task<bool> DeleteAsync(string id, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        using var command = connection.CreateCommand();
        command.CommandText = "DELETE FROM upload_sessions WHERE id = @id";
        command.Add("@id", id);
        return await command.ExecuteNonQueryAsync(cancellationToken) == 1;
    }

    private static UploadRow Read(DbDataReader reader) => new(
        reader.GetString(0),
        reader.GetString(1),
        reader.GetInt64(2),
        DbTime.Parse(reader.GetString(3)),
        DbTime.Parse(reader.GetString(4)),
        reader.IsDBNull(5) ? null : (byte[])reader.GetValue(5),
        reader.IsDBNull(6) ? null : reader.GetString(6));
}
