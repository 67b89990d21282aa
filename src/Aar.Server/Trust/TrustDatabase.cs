using System.Collections.Frozen;
using Aar.Protocol.Admin;
using Aar.Protocol.Registry;
using Aar.Server.Data;
using Microsoft.Data.Sqlite;

namespace Aar.Server.Trust;

/// <summary>The trust store's SQL: every query lives here. Each change is one transaction.</summary>
internal sealed class TrustDatabase(RegistryDatabase database)
{
    public async Task<TrustSnapshot> LoadAsync(CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var trusted = new Dictionary<string, TrustedCertificate>(StringComparer.Ordinal);
        using (var command = connection.CreateCommand())
        {
            command.CommandText = "SELECT fingerprint, name, role, subject, not_before, not_after, added_at FROM trusted_certificates";
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                // The CHECK constraint admits only the two names; anything else would be read as the weaker role.
                var role = TrustRoleNames.TryParse(reader.GetString(2), out var parsed) ? parsed : TrustRole.Client;
                trusted[reader.GetString(0)] = new TrustedCertificate(
                    reader.GetString(0), reader.GetString(1), role, reader.GetString(3),
                    DbTime.Parse(reader.GetString(4)), DbTime.Parse(reader.GetString(5)), DbTime.Parse(reader.GetString(6)));
            }
        }

        var revoked = new Dictionary<string, RevokedEntry>(StringComparer.Ordinal);
        using (var command = connection.CreateCommand())
        {
            command.CommandText = "SELECT fingerprint, name, subject, revoked_at FROM revoked_certificates";
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                revoked[reader.GetString(0)] = new RevokedEntry
                {
                    Fingerprint = reader.GetString(0),
                    Name = reader.GetString(1),
                    Subject = reader.GetString(2),
                    RevokedAt = DbTime.Parse(reader.GetString(3)),
                };
            }
        }

        return new TrustSnapshot(trusted.ToFrozenDictionary(StringComparer.Ordinal), revoked.ToFrozenDictionary(StringComparer.Ordinal));
    }

    /// <summary>
    /// Inserts a trusted certificate unless it is revoked. With <paramref name="consumeTokenId"/>, the join token is
    /// deleted in the same transaction, so a token enrols exactly one certificate even when two AMS race with it.
    /// </summary>
    public async Task<InsertOutcome> InsertAsync(TrustedCertificate entry, string pem, string? consumeTokenId, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync(cancellationToken);
        if (consumeTokenId is not null && !await ConsumeTokenAsync(connection, transaction, consumeTokenId, cancellationToken))
        {
            return InsertOutcome.TokenGone;
        }

        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = """
            INSERT INTO trusted_certificates (fingerprint, name, role, subject, not_before, not_after, added_at, certificate)
            SELECT $fingerprint, $name, $role, $subject, $not_before, $not_after, $added_at, $certificate
            WHERE NOT EXISTS (SELECT 1 FROM revoked_certificates WHERE fingerprint = $fingerprint)
            ON CONFLICT (fingerprint) DO NOTHING
            """;
        command.Parameters.AddWithValue("$fingerprint", entry.Fingerprint);
        command.Parameters.AddWithValue("$name", entry.Name);
        command.Parameters.AddWithValue("$role", entry.Role.ToWire());
        command.Parameters.AddWithValue("$subject", entry.Subject);
        command.Parameters.AddWithValue("$not_before", DbTime.Format(entry.NotBefore));
        command.Parameters.AddWithValue("$not_after", DbTime.Format(entry.NotAfter));
        command.Parameters.AddWithValue("$added_at", DbTime.Format(entry.AddedAt));
        command.Parameters.AddWithValue("$certificate", pem);
        if (await command.ExecuteNonQueryAsync(cancellationToken) != 1)
        {
            return InsertOutcome.Revoked;
        }

        await transaction.CommitAsync(cancellationToken);
        return InsertOutcome.Inserted;
    }

    /// <summary>Deletes a join token on its own (the certificate was already trusted); false if it was gone.</summary>
    public async Task<bool> ConsumeTokenAsync(string tokenId, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return await ConsumeTokenAsync(connection, null, tokenId, cancellationToken);
    }

    private static async Task<bool> ConsumeTokenAsync(SqliteConnection connection, SqliteTransaction? transaction, string tokenId, CancellationToken cancellationToken)
    {
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = "DELETE FROM join_tokens WHERE id = $id";
        command.Parameters.AddWithValue("$id", tokenId);
        return await command.ExecuteNonQueryAsync(cancellationToken) == 1;
    }

    public async Task<bool> DeleteAsync(string fingerprint, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        using var command = connection.CreateCommand();
        command.CommandText = "DELETE FROM trusted_certificates WHERE fingerprint = $fingerprint";
        command.Parameters.AddWithValue("$fingerprint", fingerprint);
        return await command.ExecuteNonQueryAsync(cancellationToken) == 1;
    }

    /// <summary>Moves a certificate to the revocation list: delete from trust and insert the tombstone together.</summary>
    public async Task<bool> RevokeAsync(RevokedEntry tombstone, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync(cancellationToken);
        using var delete = connection.CreateCommand();
        delete.Transaction = transaction;
        delete.CommandText = "DELETE FROM trusted_certificates WHERE fingerprint = $fingerprint";
        delete.Parameters.AddWithValue("$fingerprint", tombstone.Fingerprint);
        await delete.ExecuteNonQueryAsync(cancellationToken);

        using var insert = connection.CreateCommand();
        insert.Transaction = transaction;
        insert.CommandText = """
            INSERT INTO revoked_certificates (fingerprint, name, subject, revoked_at)
            VALUES ($fingerprint, $name, $subject, $revoked_at)
            ON CONFLICT (fingerprint) DO NOTHING
            """;
        insert.Parameters.AddWithValue("$fingerprint", tombstone.Fingerprint);
        insert.Parameters.AddWithValue("$name", tombstone.Name);
        insert.Parameters.AddWithValue("$subject", tombstone.Subject);
        insert.Parameters.AddWithValue("$revoked_at", DbTime.Format(tombstone.RevokedAt));
        var inserted = await insert.ExecuteNonQueryAsync(cancellationToken) == 1;
        await transaction.CommitAsync(cancellationToken);
        return inserted;
    }
}

internal enum InsertOutcome
{
    Inserted,
    Revoked,
    TokenGone,
}
