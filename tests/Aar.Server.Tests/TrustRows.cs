using TestSupport;

namespace Aar.Server.Tests;

/// <summary>Writes trust rows straight into a stopped server's database (SQLite or PostgreSQL), for states the API cannot produce.</summary>
internal static class TrustRows
{
    public static async Task InsertAsync(TestDatabase database, string fingerprint, string name)
    {
        await using var connection = await database.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = """
            INSERT INTO trusted_certificates (fingerprint, name, role, subject, not_before, not_after, added_at, certificate)
            VALUES (@fingerprint, @name, 'client', 'CN=crafted', '2020-01-01T00:00:00.000Z', '2099-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z', '')
            """;
        Add(command, "@fingerprint", fingerprint);
        Add(command, "@name", name);
        await command.ExecuteNonQueryAsync();
    }

    public static void Add(System.Data.Common.DbCommand command, string name, object value)
    {
        var parameter = command.CreateParameter();
        parameter.ParameterName = name;
        parameter.Value = value;
        command.Parameters.Add(parameter);
    }
}
