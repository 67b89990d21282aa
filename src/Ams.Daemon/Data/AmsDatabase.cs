using Aar.Hosting;
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
    public Task MigrateAsync(CancellationToken cancellationToken) =>
        new SqliteSchema(Path, "AMS database", "ams", "start empty").MigrateAsync(OpenAsync, Migrations.Steps, cancellationToken);
}
