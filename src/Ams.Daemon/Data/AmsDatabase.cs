using System.Globalization;
using Ams.Daemon.Hosting;
using Microsoft.Data.Sqlite;

namespace Ams.Daemon.Data;

/// <summary>
/// The embedded SQLite database (<c>&lt;data&gt;/ams.db</c>, WAL). Opens connections with the pragmas every
/// connection needs and brings the schema up to date at start.
/// </summary>
internal sealed class AmsDatabase(string path)
{
    private readonly string _connectionString = new SqliteConnectionStringBuilder
    {
        DataSource = path,
        Mode = SqliteOpenMode.ReadWriteCreate,
        Pooling = true,
        DefaultTimeout = 5,
    }.ToString();

    public string Path { get; } = path;

    public async Task<SqliteConnection> OpenAsync(CancellationToken cancellationToken)
    {
        var connection = new SqliteConnection(_connectionString);
        await connection.OpenAsync(cancellationToken);
        using var pragmas = connection.CreateCommand();
        // busy_timeout: wait for a concurrent writer instead of failing at once; foreign keys are off by default.
        pragmas.CommandText = "PRAGMA busy_timeout = 5000; PRAGMA foreign_keys = ON; PRAGMA synchronous = NORMAL;";
        await pragmas.ExecuteNonQueryAsync(cancellationToken);
        return connection;
    }

    /// <summary>Checks the file is a healthy database and runs pending migrations in one transaction.</summary>
    public async Task MigrateAsync(CancellationToken cancellationToken)
    {
        try
        {
            await using var connection = await OpenAsync(cancellationToken);
            using (var check = connection.CreateCommand())
            {
                check.CommandText = "PRAGMA journal_mode = WAL; PRAGMA quick_check;";
                await using var reader = await check.ExecuteReaderAsync(cancellationToken);
                await reader.NextResultAsync(cancellationToken);
                var result = await reader.ReadAsync(cancellationToken) ? reader.GetString(0) : null;
                if (!string.Equals(result, "ok", StringComparison.Ordinal))
                {
                    throw new StartupException($"The AMS database {Path} is damaged ({result}); restore it from a backup, or move it aside to start empty.");
                }
            }

            await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
            using (var create = connection.CreateCommand())
            {
                create.CommandText = "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL); SELECT coalesce(max(version), 0) FROM schema_version;";
                var current = Convert.ToInt32(await create.ExecuteScalarAsync(cancellationToken), CultureInfo.InvariantCulture);
                if (current > Migrations.Steps.Length)
                {
                    throw new StartupException($"The AMS database {Path} has schema version {current}, newer than this ams understands ({Migrations.Steps.Length}); run the newer ams, or restore a backup made with this one.");
                }

                for (var version = current + 1; version <= Migrations.Steps.Length; version++)
                {
                    using var step = connection.CreateCommand();
                    step.CommandText = Migrations.Steps[version - 1] + $"; INSERT INTO schema_version (version) VALUES ({version});";
                    await step.ExecuteNonQueryAsync(cancellationToken);
                }
            }

            await transaction.CommitAsync(cancellationToken);
        }
        catch (SqliteException ex)
        {
            throw Explain(ex);
        }
    }

    /// <summary>Turns the SQLite errors an operator can meet at start into one sentence saying what to do.</summary>
    private StartupException Explain(SqliteException ex) => ex.SqliteErrorCode switch
    {
        // SQLITE_NOTADB, SQLITE_CORRUPT
        26 or 11 => new StartupException($"The AMS database {Path} is corrupted ({ex.Message}); restore it from a backup, or move it aside to start empty.", ex),
        // SQLITE_BUSY, SQLITE_LOCKED
        5 or 6 => new StartupException($"The AMS database {Path} is locked by another process; stop whatever holds it (e.g. an sqlite3 shell) and start again.", ex),
        // SQLITE_CANTOPEN, SQLITE_READONLY, SQLITE_PERM
        14 or 8 or 3 => new StartupException($"Cannot open the AMS database {Path} for writing ({ex.Message}); check its ownership and permissions.", ex),
        _ => new StartupException($"The AMS database {Path} cannot be used ({ex.Message}).", ex),
    };
}
