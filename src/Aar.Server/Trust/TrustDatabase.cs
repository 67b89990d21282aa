using System.Collections.Frozen;
using System.Globalization;
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
                    ParseTime(reader.GetString(4)), ParseTime(reader.GetString(5)), ParseTime(reader.GetString(6)));
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
                    RevokedAt = ParseTime(reader.GetString(3)),
                };
            }
        }

        return new TrustSnapshot(trusted.ToFrozenDictionary(StringComparer.Ordinal), revoked.ToFrozenDictionary(StringComparer.Ordinal));
    }

    /// <summary>Inserts a trusted certificate unless it is revoked; the check and the insert are one transaction.</summary>
    public async Task<bool> InsertAsync(TrustedCertificate entry, string pem, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        using var command = connection.CreateCommand();
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
        command.Parameters.AddWithValue("$not_before", FormatTime(entry.NotBefore));
        command.Parameters.AddWithValue("$not_after", FormatTime(entry.NotAfter));
        command.Parameters.AddWithValue("$added_at", FormatTime(entry.AddedAt));
        command.Parameters.AddWithValue("$certificate", pem);
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
        insert.Parameters.AddWithValue("$revoked_at", FormatTime(tombstone.RevokedAt));
        var inserted = await insert.ExecuteNonQueryAsync(cancellationToken) == 1;
        await transaction.CommitAsync(cancellationToken);
        return inserted;
    }

    private static string FormatTime(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture);

    private static DateTimeOffset ParseTime(string text) => DateTimeOffset.Parse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal);
}
