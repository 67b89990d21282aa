using System.Data.Common;

namespace Aar.Server.Data;

/// <summary>How a database error should reach a client.</summary>
internal enum DatabaseFault
{
    /// <summary>Not an availability problem: a bug or a broken invariant (500).</summary>
    None,

    /// <summary>Another process holds the embedded database (SQLite busy/locked); 503, retry.</summary>
    Busy,

    /// <summary>The database server cannot be reached or refused the work for now; 503, retry.</summary>
    Unavailable,
}

/// <summary>
/// The registry's metadata database: the one seam between the data-access classes (which speak
/// <c>System.Data.Common</c> with <c>@name</c> parameters, portable SQL and ISO 8601 text times) and the provider.
/// Two implementations: <see cref="SqliteRegistryDatabase"/> (embedded default) and
/// <see cref="PostgresRegistryDatabase"/> (shared by several nodes, docs/scale-out.md).
/// </summary>
internal abstract class RegistryDatabase
{
    /// <summary>Where the data lives, for messages and logs: a file path, or host:port/database (never a password).</summary>
    public abstract string Description { get; }

    /// <summary>True when other registry nodes may change the data behind this process's back (trust snapshot refresh).</summary>
    public abstract bool IsShared { get; }

    public abstract Task<DbConnection> OpenAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Opens a connection whose commits are on disk when they return, for the writes that must survive a power cut
    /// once the operator's command has returned: trust, revocation and join tokens. PostgreSQL: every commit already
    /// is (its default <c>synchronous_commit = on</c>; docs/scale-out.md). SQLite: see <see cref="SqliteRegistryDatabase"/>.
    /// </summary>
    public virtual Task<DbConnection> OpenDurableAsync(CancellationToken cancellationToken) => OpenAsync(cancellationToken);

    /// <summary>
    /// Begins a write that must be ordered against every other write (catalog changes, trust changes, blob deletes):
    /// checks made inside it see the previous writer's result, and generation numbers are handed out in commit order.
    /// </summary>
    public abstract Task<DbTransaction> BeginWriteAsync(DbConnection connection, CancellationToken cancellationToken);

    /// <summary>Begins a read whose statements all see one consistent snapshot (rows and generation agree).</summary>
    public abstract Task<DbTransaction> BeginReadAsync(DbConnection connection, CancellationToken cancellationToken);

    /// <summary>Tells the other nodes, when the transaction commits, that the trust store changed (no-op when not shared).</summary>
    public abstract Task NotifyTrustChangedAsync(DbConnection connection, CancellationToken cancellationToken);

    /// <summary>
    /// The current generation as this node knows it, so a poll's 304 needs no query on a shared database. A writer
    /// that bumped the generation calls <see cref="GenerationCache.Advance"/> once its transaction has committed, so a
    /// poll on the same node sees its own write at once; other nodes learn it from the announcement.
    /// </summary>
    public GenerationCache Generation { get; } = new();

    /// <summary>
    /// Inside a write (<see cref="BeginWriteAsync"/>): bumps the generation and returns it; on a shared database it is
    /// also announced to every node when (and if) the transaction commits.
    /// </summary>
    public virtual async Task<long> NextGenerationAsync(DbConnection connection, CancellationToken cancellationToken)
    {
        using var command = connection.CreateCommand();
        command.CommandText = "UPDATE registry_state SET generation = generation + 1 WHERE id = 1 RETURNING generation";
        return Convert.ToInt64(await command.ExecuteScalarAsync(cancellationToken), System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>The sequence number of this node's latest trust notification (0: none, or not shared).</summary>
    public abstract long LastTrustNotice { get; }

    /// <summary>
    /// How many other nodes follow trust changes right now (their listener sessions on the shared database), so a
    /// change waits for each one's confirmation. 0 when not shared.
    /// </summary>
    public virtual Task<int> CountOtherFollowersAsync(CancellationToken cancellationToken) => Task.FromResult(0);

    /// <summary>Checks the database and runs pending migrations; throws <c>StartupException</c> with one sentence.</summary>
    public abstract Task MigrateAsync(CancellationToken cancellationToken);

    public abstract DatabaseFault Classify(Exception exception);
}
