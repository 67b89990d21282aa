using Aar.Hosting;
using Aar.Server.Data;

namespace Aar.Server.Signing;

/// <summary>The signing keys' SQL: the public keys and rotations every node serves, in the shared database.</summary>
internal sealed class SigningKeyDatabase(RegistryDatabase database)
{
    private const string Columns = "sequence, key_id, public_key, rotation, created_at";

    /// <summary>Every key, oldest first.</summary>
    public async Task<List<SigningKeyRow>> ReadAllAsync(CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        using var command = connection.Command($"SELECT {Columns} FROM signing_keys ORDER BY sequence");
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var rows = new List<SigningKeyRow>();
        while (await reader.ReadAsync(cancellationToken))
        {
            rows.Add(Read(reader));
        }

        return rows;
    }

    /// <summary>The key listings are signed with now, or null before the first start finished.</summary>
    public async Task<SigningKeyRow?> ReadCurrentAsync(CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        using var command = connection.Command($"SELECT {Columns} FROM signing_keys ORDER BY sequence DESC LIMIT 1");
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken) ? Read(reader) : null;
    }

    /// <summary>
    /// Adds <paramref name="row"/> unless its sequence (or key) is taken: false when another node got there first
    /// (two first starts at once, or two rotations), which the caller reports instead of overwriting.
    /// </summary>
    public async Task<bool> TryInsertAsync(SigningKeyRow row, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenDurableAsync(cancellationToken);
        using var command = connection.Command($"INSERT INTO signing_keys ({Columns}) VALUES (@sequence, @key_id, @public_key, @rotation, @created_at) ON CONFLICT DO NOTHING");
        command.Add("@sequence", row.Sequence);
        command.Add("@key_id", row.KeyId);
        command.Add("@public_key", row.PublicKey);
        command.AddNullable("@rotation", row.Rotation, System.Data.DbType.String);
        command.Add("@created_at", DbTime.Format(row.CreatedAt));
        return await command.ExecuteNonQueryAsync(cancellationToken) == 1;
    }

    private static SigningKeyRow Read(System.Data.Common.DbDataReader reader) =>
        new(reader.GetInt32(0), reader.GetString(1), reader.GetString(2), reader.IsDBNull(3) ? null : reader.GetString(3), DbTime.Parse(reader.GetString(4)));
}
