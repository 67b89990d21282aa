using Microsoft.Data.Sqlite;

namespace Aar.Hosting;

/// <summary>
/// A daemon's embedded SQLite database file, opened the way every connection needs it: pooled, read-write (created
/// on first start), waiting up to 5 s for a concurrent writer instead of failing at once, foreign keys on (they are
/// off by default) and <c>synchronous = NORMAL</c> (in WAL mode a commit reaches the disk at the next checkpoint;
/// a power cut can lose the last commits, never corrupt the file). <see cref="SqliteSchema"/> sets WAL at start.
/// </summary>
public sealed class SqliteFile(string path)
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
        pragmas.CommandText = "PRAGMA busy_timeout = 5000; PRAGMA foreign_keys = ON; PRAGMA synchronous = NORMAL;";
        await pragmas.ExecuteNonQueryAsync(cancellationToken);
        return connection;
    }
}
