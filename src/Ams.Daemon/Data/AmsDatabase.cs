using Aar.Hosting;
using Microsoft.Data.Sqlite;

namespace Ams.Daemon.Data;

/// <summary>
/// The embedded SQLite database (<c>&lt;data&gt;/ams.db</c>, WAL). Opens connections with the pragmas every
/// connection needs and brings the schema up to date at start.
/// </summary>
internal sealed class AmsDatabase(string path)
{
    private readonly SqliteFile _file = new(path);

    public string Path => _file.Path;

    /// <summary>A connection with the pragmas every connection needs (<see cref="SqliteFile"/>).</summary>
    public Task<SqliteConnection> OpenAsync(CancellationToken cancellationToken) => _file.OpenAsync(cancellationToken);

    /// <summary>Checks the file is a healthy database and runs pending migrations in one transaction.</summary>
    public Task MigrateAsync(CancellationToken cancellationToken) =>
        new SqliteSchema(Path, "AMS database", "ams", "start empty").MigrateAsync(OpenAsync, Migrations.Steps, cancellationToken);
}
