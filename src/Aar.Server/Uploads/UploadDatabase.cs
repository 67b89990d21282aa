using Aar.Server.Data;

namespace Aar.Server.Uploads;

/// <summary>A persisted upload session: who opened it, how many bytes are durably stored, when it last moved.</summary>
internal sealed record UploadRow(string Id, string Publisher, long Received, DateTimeOffset CreatedAt, DateTimeOffset LastActiveAt);

/// <summary>The upload sessions' SQL; every query lives here.</summary>
internal sealed class UploadDatabase(RegistryDatabase database)
{
    public async Task InsertAsync(UploadRow row, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        using var command = connection.CreateCommand();
        command.CommandText = "INSERT INTO upload_sessions (id, publisher, received, created_at, last_active_at) VALUES (@id, @publisher, @received, @created, @active)";
        command.Add("@id", row.Id);
        command.Add("@publisher", row.Publisher);
        command.Add("@received", row.Received);
        command.Add("@created", DbTime.Format(row.CreatedAt));
        command.Add("@active", DbTime.Format(row.LastActiveAt));
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public async Task<UploadRow?> GetAsync(string id, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT id, publisher, received, created_at, last_active_at FROM upload_sessions WHERE id = @id";
        command.Add("@id", id);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken)
            ? new UploadRow(reader.GetString(0), reader.GetString(1), reader.GetInt64(2), DbTime.Parse(reader.GetString(3)), DbTime.Parse(reader.GetString(4)))
            : null;
    }

    public async Task<List<UploadRow>> ListAsync(CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT id, publisher, received, created_at, last_active_at FROM upload_sessions";
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var rows = new List<UploadRow>();
        while (await reader.ReadAsync(cancellationToken))
        {
            rows.Add(new UploadRow(reader.GetString(0), reader.GetString(1), reader.GetInt64(2), DbTime.Parse(reader.GetString(3)), DbTime.Parse(reader.GetString(4))));
        }

        return rows;
    }

    public async Task UpdateReceivedAsync(string id, long received, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        using var command = connection.CreateCommand();
        command.CommandText = "UPDATE upload_sessions SET received = @received, last_active_at = @active WHERE id = @id";
        command.Add("@id", id);
        command.Add("@received", received);
        command.Add("@active", DbTime.Format(now));
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public async Task<bool> DeleteAsync(string id, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        using var command = connection.CreateCommand();
        command.CommandText = "DELETE FROM upload_sessions WHERE id = @id";
        command.Add("@id", id);
        return await command.ExecuteNonQueryAsync(cancellationToken) == 1;
    }
}
