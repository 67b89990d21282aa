using Microsoft.Data.Sqlite;

namespace Aar.Server.Tests;

/// <summary>Writes trust rows straight into a stopped server's database, for states the API cannot produce.</summary>
internal static class TrustRows
{
    public static void Insert(string databasePath, string fingerprint, string name)
    {
        using var connection = new SqliteConnection($"Data Source={databasePath};Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = """
            INSERT INTO trusted_certificates (fingerprint, name, role, subject, not_before, not_after, added_at, certificate)
            VALUES ($fingerprint, $name, 'client', 'CN=crafted', '2020-01-01T00:00:00.000Z', '2099-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z', '')
            """;
        command.Parameters.AddWithValue("$fingerprint", fingerprint);
        command.Parameters.AddWithValue("$name", name);
        command.ExecuteNonQuery();
    }
}
