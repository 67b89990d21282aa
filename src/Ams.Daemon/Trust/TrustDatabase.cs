using Aar.Hosting;
using Aar.Protocol.Management;
using Ams.Daemon.Data;

namespace Ams.Daemon.Trust;

/// <summary>The trust list's SQL.</summary>
internal static class TrustDatabase
{
    public static async Task<IReadOnlyList<TrustedCertificate>> LoadAsync(AmsDatabase database, CancellationToken cancellationToken)
    {
        var entries = new List<TrustedCertificate>();
        await using var connection = await database.OpenAsync(cancellationToken);
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT fingerprint, common_name, not_before, not_after, added_at FROM trusted_certificates ORDER BY added_at, fingerprint";
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            entries.Add(new TrustedCertificate
            {
                Fingerprint = reader.GetString(0),
                CommonName = reader.GetString(1),
                IssueDate = DbTime.Parse(reader.GetString(2)),
                ExpiryDate = DbTime.Parse(reader.GetString(3)),
                AddedAt = DbTime.Parse(reader.GetString(4)),
            });
        }

        return entries;
    }

    public static async Task<string?> GetPemAsync(AmsDatabase database, string fingerprint, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT certificate FROM trusted_certificates WHERE fingerprint = $fingerprint";
        command.Parameters.AddWithValue("$fingerprint", fingerprint);
        return (string?)await command.ExecuteScalarAsync(cancellationToken);
    }

    /// <summary>Inserts the certificate; false when it is already there (the primary key decides, not a prior read).</summary>
    public static async Task<bool> InsertAsync(AmsDatabase database, TrustedCertificate entry, string pem, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        using var command = connection.CreateCommand();
        command.CommandText = """
            INSERT INTO trusted_certificates (fingerprint, common_name, not_before, not_after, added_at, certificate)
            VALUES ($fingerprint, $name, $not_before, $not_after, $added_at, $certificate)
            ON CONFLICT (fingerprint) DO NOTHING
            """;
        command.Parameters.AddWithValue("$fingerprint", entry.Fingerprint);
        command.Parameters.AddWithValue("$name", entry.CommonName);
        command.Parameters.AddWithValue("$not_before", DbTime.Format(entry.IssueDate));
        command.Parameters.AddWithValue("$not_after", DbTime.Format(entry.ExpiryDate));
        command.Parameters.AddWithValue("$added_at", DbTime.Format(entry.AddedAt));
        command.Parameters.AddWithValue("$certificate", pem);
        return await command.ExecuteNonQueryAsync(cancellationToken) == 1;
    }

    public static async Task<bool> DeleteAsync(AmsDatabase database, string fingerprint, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        using var command = connection.CreateCommand();
        command.CommandText = "DELETE FROM trusted_certificates WHERE fingerprint = $fingerprint";
        command.Parameters.AddWithValue("$fingerprint", fingerprint);
        return await command.ExecuteNonQueryAsync(cancellationToken) == 1;
    }
}
