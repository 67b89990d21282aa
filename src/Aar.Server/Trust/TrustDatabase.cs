using System.Collections.Frozen;
using System.Data.Common;
using System.Security.Cryptography.X509Certificates;
using Aar.Hosting;
using Aar.Protocol.Admin;
using Aar.Protocol.Certificates;
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

    /// <summary>How many other nodes follow trust changes now (see <see cref="RegistryDatabase.CountOtherFollowersAsync"/>).</summary>
    public Task<int> CountOtherFollowersAsync(CancellationToken cancellationToken) => database.CountOtherFollowersAsync(cancellationToken);

    /// <summary>Every trust, revocation and token write goes through this: durable before it returns (see <see cref="RegistryDatabase.OpenDurableAsync"/>).</summary>
    public Task<DbConnection> OpenWriteAsync(CancellationToken cancellationToken) => database.OpenDurableAsync(cancellationToken);

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
                // The CHECK constraint admits only the role names; anything else would be read as the weakest role.
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
            command.CommandText = "SELECT fingerprint, name, subject, revoked_at, public_key FROM revoked_certificates";
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                revoked[reader.GetString(0)] = new RevokedEntry
                {
                    Fingerprint = reader.GetString(0),
                    Name = reader.GetString(1),
                    Subject = reader.GetString(2),
                    RevokedAt = DbTime.Parse(reader.GetString(3)),
                    PublicKey = reader.IsDBNull(4) ? null : reader.GetString(4),
                };
            }
        }

        return new TrustSnapshot(trusted.ToFrozenDictionary(StringComparer.Ordinal), revoked.ToFrozenDictionary(StringComparer.Ordinal));
    }

    /// <summary>
    /// Inserts a trusted certificate unless it or its key (<paramref name="publicKey"/>, SPKI SHA-256) is revoked. With <paramref name="consumeTokenId"/>, the join token is
    /// deleted in the same transaction, so a token enrols exactly one certificate even when two AMS race with it.
    /// </summary>
    public async Task<InsertOutcome> InsertAsync(TrustedCertificate entry, string pem, string publicKey, string? consumeTokenId, CancellationToken cancellationToken)
    {
        await using var connection = await OpenWriteAsync(cancellationToken);
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
            WHERE NOT EXISTS (SELECT 1 FROM revoked_certificates WHERE fingerprint = @fingerprint OR public_key = @public_key)
            ON CONFLICT (fingerprint) DO NOTHING
            """;
        command.Add("@fingerprint", entry.Fingerprint);
        command.Add("@public_key", publicKey);
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
            return await IsRevokedAsync(connection, transaction, entry.Fingerprint, publicKey, cancellationToken) ? InsertOutcome.Revoked : InsertOutcome.AlreadyTrusted;
        }

        await database.NotifyTrustChangedAsync(connection, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return InsertOutcome.Inserted;
    }

    /// <summary>Deletes a join token on its own (the certificate was already trusted); false if it was gone.</summary>
    public async Task<bool> ConsumeTokenAsync(string tokenId, CancellationToken cancellationToken)
    {
        await using var connection = await OpenWriteAsync(cancellationToken);
        return await ConsumeTokenAsync(connection, null, tokenId, cancellationToken);
    }

    private static async Task<bool> IsRevokedAsync(DbConnection connection, DbTransaction transaction, string fingerprint, string publicKey, CancellationToken cancellationToken)
    {
        await using var command = connection.Command("SELECT count(*) FROM revoked_certificates WHERE fingerprint = @fingerprint OR public_key = @public_key", transaction);
        command.Add("@fingerprint", fingerprint);
        command.Add("@public_key", publicKey);
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
        await using var connection = await OpenWriteAsync(cancellationToken);
        await using var transaction = await database.BeginWriteAsync(connection, cancellationToken);
        await using var command = connection.Command("DELETE FROM trusted_certificates WHERE fingerprint = @fingerprint", transaction);
        command.Add("@fingerprint", fingerprint);
        var deleted = await command.ExecuteNonQueryAsync(cancellationToken) == 1;
        await database.NotifyTrustChangedAsync(connection, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return deleted;
    }

    /// <summary>
    /// Moves a certificate to the revocation list: delete from trust and insert the tombstone together. When the
    /// registry holds the certificate, the tombstone records its public key, and every other trusted certificate made
    /// from that key is revoked with it (it would be refused anyway; this keeps the list honest). Returns the
    /// tombstones written (none when it was already revoked).
    /// </summary>
    public async Task<IReadOnlyList<RevokedEntry>> RevokeAsync(RevokedEntry tombstone, CancellationToken cancellationToken)
    {
        await using var connection = await OpenWriteAsync(cancellationToken);
        await using var transaction = await database.BeginWriteAsync(connection, cancellationToken);
        var tombstones = new List<RevokedEntry> { tombstone };
        var trusted = await ReadTrustedPemsAsync(connection, transaction, cancellationToken);
        var index = trusted.FindIndex(t => string.Equals(t.Fingerprint, tombstone.Fingerprint, StringComparison.Ordinal));
        if (index >= 0)
        {
            var publicKey = PublicKeyOf(trusted[index].Pem);
            tombstones[0] = tombstone with { PublicKey = publicKey };
            tombstones.AddRange(trusted
                .Where(t => !string.Equals(t.Fingerprint, tombstone.Fingerprint, StringComparison.Ordinal) && string.Equals(PublicKeyOf(t.Pem), publicKey, StringComparison.Ordinal))
                .Select(t => new RevokedEntry { Fingerprint = t.Fingerprint, Name = t.Name, Subject = t.Subject, RevokedAt = tombstone.RevokedAt, PublicKey = publicKey }));
        }

        var written = new List<RevokedEntry>();
        foreach (var entry in tombstones)
        {
            await using var delete = connection.Command("DELETE FROM trusted_certificates WHERE fingerprint = @fingerprint", transaction);
            delete.Add("@fingerprint", entry.Fingerprint);
            await delete.ExecuteNonQueryAsync(cancellationToken);

            await using var insert = connection.Command("""
                INSERT INTO revoked_certificates (fingerprint, name, subject, revoked_at, public_key)
                VALUES (@fingerprint, @name, @subject, @revoked_at, @public_key)
                ON CONFLICT (fingerprint) DO NOTHING
                """, transaction);
            insert.Add("@fingerprint", entry.Fingerprint);
            insert.Add("@name", entry.Name);
            insert.Add("@subject", entry.Subject);
            insert.Add("@revoked_at", DbTime.Format(entry.RevokedAt));
            insert.AddNullable("@public_key", entry.PublicKey, System.Data.DbType.String);
            if (await insert.ExecuteNonQueryAsync(cancellationToken) == 1)
            {
                written.Add(entry);
            }
        }

        await database.NotifyTrustChangedAsync(connection, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return written;
    }

    /// <summary>
    /// The trusted certificates with their PEM, read inside a revocation to find the ones sharing the revoked key:
    /// parsing them all is paid by a revoke (rare), so neither the snapshot load nor a request parses a certificate.
    /// </summary>
    private static async Task<List<(string Fingerprint, string Name, string Subject, string Pem)>> ReadTrustedPemsAsync(DbConnection connection, DbTransaction transaction, CancellationToken cancellationToken)
    {
        await using var command = connection.Command("SELECT fingerprint, name, subject, certificate FROM trusted_certificates", transaction);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var rows = new List<(string, string, string, string)>();
        while (await reader.ReadAsync(cancellationToken))
        {
            rows.Add((reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.GetString(3)));
        }

        return rows;
    }

    private static string PublicKeyOf(string pem)
    {
        using var certificate = X509Certificate2.CreateFromPem(pem);
        return CertificateFacts.PublicKeySha256(certificate);
    }
}

internal enum InsertOutcome
{
    Inserted,
    Revoked,
    AlreadyTrusted,
    TokenGone,
}
