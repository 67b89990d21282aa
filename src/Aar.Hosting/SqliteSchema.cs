using System.Globalization;
using Microsoft.Data.Sqlite;

namespace Aar.Hosting;

/// <summary>
/// Brings an embedded SQLite database up to date at start: WAL mode, an integrity check, and the pending steps of a
/// forward-only migration list (the index + 1 is the version stored in <c>schema_version</c>) in one transaction.
/// Every failure an operator can meet is one sentence saying what to do (<see cref="StartupException"/>).
/// </summary>
/// <param name="path">The database file, for messages.</param>
/// <param name="what">How messages name it: "registry database", "AMS database".</param>
/// <param name="daemon">The executable that understands its schema: "aar", "ams".</param>
/// <param name="moveAside">What moving the file aside costs, ending "move it aside to …": "start empty".</param>
public sealed class SqliteSchema(string path, string what, string daemon, string moveAside)
{
    /// <summary>
    /// Opens a connection with <paramref name="open"/> (the daemon's pragmas), checks the file is a healthy database
    /// and runs the pending <paramref name="steps"/> in one transaction.
    /// </summary>
    public async Task MigrateAsync(Func<CancellationToken, Task<SqliteConnection>> open, IReadOnlyList<string> steps, CancellationToken cancellationToken)
    {
        try
        {
            await using var connection = await open(cancellationToken);
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
                    throw new StartupException($"The {what} {path} is damaged ({result}); restore it from a backup, or move it aside to {moveAside}.");
                }
            }

            await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
            using (var create = connection.CreateCommand())
            {
                create.CommandText = "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL); SELECT coalesce(max(version), 0) FROM schema_version;";
                var current = Convert.ToInt32(await create.ExecuteScalarAsync(cancellationToken), CultureInfo.InvariantCulture);
                if (current > steps.Count)
                {
                    throw new StartupException($"The {what} {path} has schema version {current}, newer than this {daemon} understands ({steps.Count}); run the newer {daemon}, or restore a backup made with this one.");
                }

                for (var version = current + 1; version <= steps.Count; version++)
                {
                    using var step = connection.CreateCommand();
                    step.CommandText = steps[version - 1] + $"; INSERT INTO schema_version (version) VALUES ({version});";
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
        26 or 11 => new StartupException($"The {what} {path} is corrupted ({ex.Message}); restore it from a backup, or move it aside to {moveAside}.", ex),
        // SQLITE_BUSY, SQLITE_LOCKED
        5 or 6 => new StartupException($"The {what} {path} is locked by another process; stop whatever holds it (e.g. an sqlite3 shell) and start again.", ex),
        // SQLITE_CANTOPEN, SQLITE_READONLY, SQLITE_PERM
        14 or 8 or 3 => new StartupException($"Cannot open the {what} {path} for writing ({ex.Message}); check its ownership and permissions.", ex),
        _ => new StartupException($"The {what} {path} cannot be used ({ex.Message}).", ex),
    };
}
