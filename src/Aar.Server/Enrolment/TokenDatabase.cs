using Aar.Hosting;
using Aar.Protocol.Enrolment;
using Aar.Server.Data;

namespace Aar.Server.Enrolment;

/// <summary>The join tokens' SQL. Using a token up happens in <see cref="Trust.TrustDatabase"/>, with the trust insert.</summary>
internal sealed class TokenDatabase(RegistryDatabase database)
{
    public async Task InsertAsync(TokenEntry entry, string secretHash, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenDurableAsync(cancellationToken);
        using var command = connection.CreateCommand();
        command.CommandText = """
            INSERT INTO join_tokens (id, secret_hash, role, name, created_at, expires_at)
            VALUES (@id, @secret_hash, @role, @name, @created_at, @expires_at)
            """;
        command.Add("@id", entry.Id);
        command.Add("@secret_hash", secretHash);
        command.Add("@role", entry.Role);
        command.Add("@name", entry.Name);
        command.Add("@created_at", DbTime.Format(entry.CreatedAt));
        command.Add("@expires_at", DbTime.Format(entry.ExpiresAt));
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>Tokens not used yet, expired ones included (the list shows them as expired until deleted or purged).</summary>
    public async Task<List<TokenEntry>> ListAsync(CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT id, role, name, created_at, expires_at FROM join_tokens ORDER BY created_at, id";
        var entries = new List<TokenEntry>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            entries.Add(Read(reader));
        }

        return entries;
    }

    public async Task<TokenEntry?> FindBySecretHashAsync(string secretHash, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT id, role, name, created_at, expires_at FROM join_tokens WHERE secret_hash = @hash";
        command.Add("@hash", secretHash);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken) ? Read(reader) : null;
    }

    public async Task<bool> DeleteAsync(string id, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenDurableAsync(cancellationToken);
        using var command = connection.CreateCommand();
        command.CommandText = "DELETE FROM join_tokens WHERE id = @id";
        command.Add("@id", id);
        return await command.ExecuteNonQueryAsync(cancellationToken) == 1;
    }

    /// <summary>Removes tokens that expired more than a day ago: listed for a while so an operator sees why a join failed.</summary>
    public async Task PurgeAsync(DateTimeOffset expiredBefore, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        using var command = connection.CreateCommand();
        command.CommandText = "DELETE FROM join_tokens WHERE expires_at < @before";
        command.Add("@before", DbTime.Format(expiredBefore));
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private static TokenEntry Read(System.Data.Common.DbDataReader reader) => new()
    {
        Id = reader.GetString(0),
        Role = reader.GetString(1),
        Name = reader.GetString(2),
        CreatedAt = DbTime.Parse(reader.GetString(3)),
        ExpiresAt = DbTime.Parse(reader.GetString(4)),
    };
}
