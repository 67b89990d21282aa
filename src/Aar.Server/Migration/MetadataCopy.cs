using System.Data.Common;
using System.Globalization;

namespace Aar.Server.Migration;

/// <summary>
/// Copies the registry's metadata rows from one database to another with the same schema (the embedded SQLite file to
/// PostgreSQL), table by table in foreign-key order, inside the caller's transaction on the target: the target gets
/// all of it or none of it. Unfinished upload sessions are not copied: their bytes are local files of the old store.
/// </summary>
internal static class MetadataCopy
{
    /// <summary>Tables in the order their foreign keys need; the generation counter is copied separately.</summary>
    public static readonly IReadOnlyList<string> Tables =
    [
        "trusted_certificates",
        "revoked_certificates",
        "client_activity",
        "join_tokens",
        "applications",
        "versions",
        "version_numbers",
        "deletions",
        "signing_keys",
    ];

    /// <summary>How many rows each table of <paramref name="connection"/> holds, and its generation.</summary>
    public static async Task<MetadataCounts> CountAsync(DbConnection connection, DbTransaction? transaction, CancellationToken cancellationToken)
    {
        var rows = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var table in Tables.Append("upload_sessions"))
        {
            rows[table] = await ScalarAsync(connection, transaction, $"SELECT count(*) FROM {table}", cancellationToken);
        }

        return new MetadataCounts(rows, await ScalarAsync(connection, transaction, "SELECT generation FROM registry_state WHERE id = 1", cancellationToken));
    }

    /// <summary>Copies every table's rows and the generation counter; returns the rows copied per table.</summary>
    public static async Task<IReadOnlyDictionary<string, long>> CopyAsync(DbConnection source, DbConnection target, DbTransaction targetTransaction, CancellationToken cancellationToken)
    {
        var copied = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var table in Tables)
        {
            copied[table] = await CopyTableAsync(source, target, targetTransaction, table, cancellationToken);
        }

        var generation = await ScalarAsync(source, null, "SELECT generation FROM registry_state WHERE id = 1", cancellationToken);
        await using var update = target.CreateCommand();
        update.Transaction = targetTransaction;
        update.CommandText = "UPDATE registry_state SET generation = @generation WHERE id = 1";
        AddParameter(update, "@generation", generation);
        await update.ExecuteNonQueryAsync(cancellationToken);
        return copied;
    }

    private static async Task<long> CopyTableAsync(DbConnection source, DbConnection target, DbTransaction targetTransaction, string table, CancellationToken cancellationToken)
    {
        await using var select = source.CreateCommand();
        select.CommandText = $"SELECT * FROM {table}";
        await using var reader = await select.ExecuteReaderAsync(cancellationToken);
        var columns = Enumerable.Range(0, reader.FieldCount).Select(reader.GetName).ToArray();
        await using var insert = target.CreateCommand();
        insert.Transaction = targetTransaction;
        insert.CommandText = $"INSERT INTO {table} ({string.Join(", ", columns)}) VALUES ({string.Join(", ", columns.Select((_, i) => "@p" + i.ToString(CultureInfo.InvariantCulture)))})";
        var count = 0L;
        while (await reader.ReadAsync(cancellationToken))
        {
            insert.Parameters.Clear();
            for (var i = 0; i < columns.Length; i++)
            {
                AddParameter(insert, "@p" + i.ToString(CultureInfo.InvariantCulture), reader.GetValue(i));
            }

            await insert.ExecuteNonQueryAsync(cancellationToken);
            count++;
        }

        return count;
    }

    private static async Task<long> ScalarAsync(DbConnection connection, DbTransaction? transaction, string sql, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        return Convert.ToInt64(await command.ExecuteScalarAsync(cancellationToken), CultureInfo.InvariantCulture);
    }

    private static void AddParameter(DbCommand command, string name, object? value)
    {
        var parameter = command.CreateParameter();
        parameter.ParameterName = name;
        parameter.Value = value ?? DBNull.Value;
        command.Parameters.Add(parameter);
    }
}

/// <summary>Rows per table and the generation counter of one registry database.</summary>
internal sealed record MetadataCounts(IReadOnlyDictionary<string, long> Rows, long Generation)
{
    /// <summary>True when nothing was ever written: a fresh schema (an unused join token or upload counts as data).</summary>
    public bool IsEmpty => Generation == 0 && Rows.Values.All(r => r == 0);
}
