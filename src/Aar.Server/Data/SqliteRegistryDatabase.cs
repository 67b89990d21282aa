using System.Data.Common;
using Aar.Server.Hosting;
using Microsoft.Data.Sqlite;

namespace Aar.Server.Data;

/// <summary>
/// The embedded SQLite database (<c>&lt;data&gt;/aar.db</c>, WAL). Opens connections with the pragmas every
/// connection needs and brings the schema up to date at start.
/// </summary>
internal sealed class SqliteRegistryDatabase(string path) : RegistryDatabase
{
    private readonly string _connectionString = new SqliteConnectionStringBuilder
    {
        DataSource = path,
        Mode = SqliteOpenMode.ReadWriteCreate,
        Pooling = true,
        DefaultTimeout = 5,
    }.ToString();

    public string Path { get; } = path;

    public override string Description => Path;

    /// <summary>The data directory lock keeps every other server away from this file.</summary>
    public override bool IsShared => false;

    public override async Task<DbConnection> OpenAsync(CancellationToken cancellationToken) => await OpenSqliteAsync(cancellationToken);

    /// <summary>
    /// A connection with <c>synchronous = FULL</c>: in WAL mode every commit fsyncs the log before it returns. The
    /// other connections keep NORMAL, where a commit reaches the disk only at the next checkpoint and the last ones
    /// can be lost in a power cut (never corrupted). Measured on the 2-core test VM (ext4, 300 one-row commits):
    /// NORMAL 0.04 ms median, FULL 4–5 ms median and 14–29 ms at p95; fine for an operator's trust command, too
    /// much for the upload path's per-chunk progress rows (docs/decisions.md). The pragma cannot change inside a
    /// transaction, so it is set here, before one begins; the next <see cref="OpenAsync"/> of this pooled
    /// connection sets NORMAL again.
    /// </summary>
    public override async Task<DbConnection> OpenDurableAsync(CancellationToken cancellationToken)
    {
        var connection = await OpenSqliteAsync(cancellationToken);
        using var full = connection.CreateCommand();
        full.CommandText = "PRAGMA synchronous = FULL;";
        await full.ExecuteNonQueryAsync(cancellationToken);
        return connection;
    }

    /// <summary>BEGIN IMMEDIATE: one writer at a time, and checks inside see the previous writer's commit.</summary>
    public override Task<DbTransaction> BeginWriteAsync(DbConnection connection, CancellationToken cancellationToken) =>
        Task.FromResult<DbTransaction>(((SqliteConnection)connection).BeginTransaction(deferred: false));

    /// <summary>A deferred transaction: in WAL mode its reads share one snapshot and block no writer.</summary>
    public override Task<DbTransaction> BeginReadAsync(DbConnection connection, CancellationToken cancellationToken) =>
        Task.FromResult<DbTransaction>(((SqliteConnection)connection).BeginTransaction(deferred: true));

    public override Task NotifyTrustChangedAsync(DbConnection connection, CancellationToken cancellationToken) => Task.CompletedTask;

    public override long LastTrustNotice => 0;

    public override DatabaseFault Classify(Exception exception) =>
        exception is SqliteException { SqliteErrorCode: 5 or 6 } ? DatabaseFault.Busy : DatabaseFault.None;

    private async Task<SqliteConnection> OpenSqliteAsync(CancellationToken cancellationToken)
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
    public override async Task MigrateAsync(CancellationToken cancellationToken)
    {
        try
        {
            await using var connection = await OpenSqliteAsync(cancellationToken);
            using (var wal = connection.CreateCommand())
            {
                wal.CommandText = "PRAGMA journal_mode = WAL;";
                await wal.ExecuteNonQueryAsync(cancellationToken);
            }

            using (var check = connection.CreateCommand())
            {
                check.CommandText = "PRAGMA quick_check;";
                var result = (string?)await check.ExecuteScalarAsync(cancellationToken);
                if (!string.Equals(result, "ok", StringComparison.Ordinal))
                {
                    throw new StartupException($"The registry database {Path} is damaged ({result}); restore it from a backup, or move it aside to start with an empty trust store.");
                }
            }

            await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
            using (var create = connection.CreateCommand())
            {
                create.CommandText = "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL); SELECT coalesce(max(version), 0) FROM schema_version;";
                var current = Convert.ToInt32(await create.ExecuteScalarAsync(cancellationToken), System.Globalization.CultureInfo.InvariantCulture);
                if (current > SqliteMigrations.Steps.Length)
                {
                    throw new StartupException($"The registry database {Path} has schema version {current}, newer than this aar understands ({SqliteMigrations.Steps.Length}); run the newer aar, or restore a backup made with this one.");
                }

                for (var version = current + 1; version <= SqliteMigrations.Steps.Length; version++)
                {
                    using var step = connection.CreateCommand();
                    step.CommandText = SqliteMigrations.Steps[version - 1] + $"; INSERT INTO schema_version (version) VALUES ({version});";
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
        26 or 11 => new StartupException($"The registry database {Path} is corrupted ({ex.Message}); restore it from a backup, or move it aside to start with an empty trust store.", ex),
        // SQLITE_BUSY, SQLITE_LOCKED
        5 or 6 => new StartupException($"The registry database {Path} is locked by another process; stop whatever holds it (e.g. an sqlite3 shell) and start again.", ex),
        // SQLITE_CANTOPEN, SQLITE_READONLY, SQLITE_PERM
        14 or 8 or 3 => new StartupException($"Cannot open the registry database {Path} for writing ({ex.Message}); check its ownership and permissions.", ex),
        _ => new StartupException($"The registry database {Path} cannot be used ({ex.Message}).", ex),
    };
}
