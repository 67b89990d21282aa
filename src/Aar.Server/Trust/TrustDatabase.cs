using System.Collections.Frozen;
using System.Data.Common;
using Aar.Protocol.Admin;
using Aar.Protocol.Registry;
using Aar.Server.Data;

namespace Aar.Server.Trust;

/// <summary>
/// The trust store's SQL: every query lives here. Each change is one write transaction (ordered against every other
/// write, also across nodes) that also announces the change to the other nodes (<see cref="RegistryDatabase.NotifyTrustChangedAsync"/>).
/// </summary>
internal sealed class TrustDatabase(RegistryDatabase database)
{
    /// <summary>Other nodes may change the trust store (PostgreSQL); see <see cref="TrustStore"/>.</summary>
    public bool IsShared => database.IsShared;

    /// <summary>The sequence number of this node's latest trust notification (see <see cref="RegistryDatabase.LastTrustNotice"/>).</summary>
    public long LastTrustNotice => database.LastTrustNotice;

    public async Task<TrustSnapshot> LoadAsync(CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        // One snapshot for both lists, so a revoke (delete + tombstone) is never seen half-done.
        await using var transaction = await database.BeginReadAsync(connection, cancellationToken);
        var trusted = new Dictionary<string, TrustedCertificate>(StringComparer.Ordinal);
        using (var command = connection.CreateCommand())
        {
            command.Transaction = transaction;
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
            command.Transaction = transaction;
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
        await using var transaction = await database.BeginWriteAsync(connection, cancellationToken);
        if (consumeTokenId is not null && !await ConsumeTokenAsync(connection, transaction, consumeTokenId, cancellationToken))
        {
            return InsertOutcome.TokenGone;
        }

        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = """
            INSERT INTO trusted_certificates (fingerprint, name, role, subject, not_before, not_after, added_at, certificate)
            SELECT @fingerprint, @name, @role, @subject, @not_before, @not_after, @added_at, @certificate
            WHERE NOT EXISTS (SELECT 1 FROM revoked_certificates WHERE fingerprint = @fingerprint)
            ON CONFLICT (fingerprint) DO NOTHING
            """;
        command.Add("@fingerprint", entry.Fingerprint);
        command.Add("@name", entry.Name);
        command.Add("@role", entry.Role.ToWire());
        command.Add("@subject", entry.Subject);
        command.Add("@not_before", DbTime.Format(entry.NotBefore));
        command.Add("@not_after", DbTime.Format(entry.NotAfter));
        command.Add("@added_at", DbTime.Format(entry.AddedAt));
        command.Add("@certificate", pem);
        if (await command.ExecuteNonQueryAsync(cancellationToken) != 1)
        {
            // Another node may have trusted the same certificate a moment ago; only a tombstone means revoked.
            return await IsRevokedAsync(connection, transaction, entry.Fingerprint, cancellationToken) ? InsertOutcome.Revoked : InsertOutcome.AlreadyTrusted;
        }

        await database.NotifyTrustChangedAsync(connection, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return InsertOutcome.Inserted;
    }

    /// <summary>Deletes a join token on its own (the certificate was already trusted); false if it was gone.</summary>
    public async Task<bool> ConsumeTokenAsync(string tokenId, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return await ConsumeTokenAsync(connection, null, tokenId, cancellationToken);
    }

    private static async Task<bool> IsRevokedAsync(DbConnection connection, DbTransaction transaction, string fingerprint, CancellationToken cancellationToken)
    {
        await using var command = connection.Command("SELECT count(*) FROM revoked_certificates WHERE fingerprint = @fingerprint", transaction);
        command.Add("@fingerprint", fingerprint);
        return Convert.ToInt64(await command.ExecuteScalarAsync(cancellationToken), System.Globalization.CultureInfo.InvariantCulture) > 0;
    }

    private static async Task<bool> ConsumeTokenAsync(DbConnection connection, DbTransaction? transaction, string tokenId, CancellationToken cancellationToken)
    {
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = "DELETE FROM join_tokens WHERE id = @id";
        command.Add("@id", tokenId);
        return await command.ExecuteNonQueryAsync(cancellationToken) == 1;
    }

    public async Task<bool> DeleteAsync(string fingerprint, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var transaction = await database.BeginWriteAsync(connection, cancellationToken);
        await using var command = connection.Command("DELETE FROM trusted_certificates WHERE fingerprint = @fingerprint", transaction);
        command.Add("@fingerprint", fingerprint);
        var deleted = await command.ExecuteNonQueryAsync(cancellationToken) == 1;
        await database.NotifyTrustChangedAsync(connection, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return deleted;
    }

    /// <summary>Moves a certificate to the revocation list: delete from trust and insert the tombstone together.</summary>
    public async Task<bool> RevokeAsync(RevokedEntry tombstone, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var transaction = await database.BeginWriteAsync(connection, cancellationToken);
        using var delete = connection.CreateCommand();
        delete.Transaction = transaction;
        delete.CommandText = "DELETE FROM trusted_certificates WHERE fingerprint = @fingerprint";
        delete.Add("@fingerprint", tombstone.Fingerprint);
        await delete.ExecuteNonQueryAsync(cancellationToken);

        using var insert = connection.CreateCommand();
        insert.Transaction = transaction;
        insert.CommandText = """
            INSERT INTO revoked_certificates (fingerprint, name, subject, revoked_at)
            VALUES (@fingerprint, @name, @subject, @revoked_at)
            ON CONFLICT (fingerprint) DO NOTHING
            """;
        insert.Add("@fingerprint", tombstone.Fingerprint);
        insert.Add("@name", tombstone.Name);
        insert.Add("@subject", tombstone.Subject);
        insert.Add("@revoked_at", DbTime.Format(tombstone.RevokedAt));
        var inserted = await insert.ExecuteNonQueryAsync(cancellationToken) == 1;
        await database.NotifyTrustChangedAsync(connection, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return inserted;
    }
}

internal enum InsertOutcome
{
    Inserted,
    Revoked,
    AlreadyTrusted,
    TokenGone,
}
