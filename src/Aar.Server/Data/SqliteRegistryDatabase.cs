using System.Data.Common;
using Aar.Hosting;
using Microsoft.Data.Sqlite;

namespace Aar.Server.Data;

/// <summary>
/// The embedded SQLite database (<c>&lt;data&gt;/aar.db</c>, WAL). Opens connections with the pragmas every
/// connection needs and brings the schema up to date at start.
/// </summary>
internal sealed class SqliteRegistryDatabase(string path) : RegistryDatabase
{
    private readonly SqliteFile _file = new(path);

    public string Path => _file.Path;

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

    /// <summary>A connection with the pragmas every connection needs (<see cref="SqliteFile"/>).</summary>
    private Task<SqliteConnection> OpenSqliteAsync(CancellationToken cancellationToken) => _file.OpenAsync(cancellationToken);

    /// <summary>Checks the file is a healthy database and runs pending migrations in one transaction.</summary>
    public override Task MigrateAsync(CancellationToken cancellationToken) =>
        new SqliteSchema(Path, "registry database", "aar", "start with an empty trust store").MigrateAsync(OpenSqliteAsync, SqliteMigrations.Steps, cancellationToken);
}
