using System.Data.Common;
using System.Data;
using System.Globalization;
using System.Net.Sockets;
using System.Security.Authentication;
using Aar.Hosting;
using Npgsql;

namespace Aar.Server.Data;

/// <summary>
/// PostgreSQL shared by several registry nodes. Writers are ordered by the database, not by in-process locks: every
/// write transaction starts by locking the single <c>registry_state</c> row (<c>SELECT … FOR UPDATE</c>), so writes
/// from all nodes run one at a time, generations are handed out gap-free in commit order, and a check made inside a
/// write (owner, existing version, blob still referenced) cannot be overtaken by another node's write.
/// </summary>
internal sealed class PostgresRegistryDatabase : RegistryDatabase, IAsyncDisposable
{
    /// <summary>The channel a trust change is announced on (<c>NOTIFY aar_trust</c>); see <c>Trust/TrustListener</c>.</summary>
    public const string TrustChannel = "aar_trust";

    /// <summary>The channel a generation bump is announced on, with the new generation as payload; see <see cref="GenerationCache"/>.</summary>
    public const string GenerationChannel = "aar_generation";

    /// <summary>pg_advisory_xact_lock key for migrations: two nodes starting together migrate one after the other.</summary>
    private const long MigrationLockKey = 0x6161725F736368; // "aar_sch"

    private readonly NpgsqlDataSource _dataSource;

    /// <summary>Tells this node's trust notifications from other nodes' ones.</summary>
    private readonly string _node = Guid.NewGuid().ToString("N");

    private long _lastTrustNotice;

    public PostgresRegistryDatabase(NpgsqlConnectionStringBuilder connection)
    {
        Description = PostgresConnectionString.Describe(connection);
        ConnectionString = connection.ConnectionString;
        _dataSource = NpgsqlDataSource.Create(connection);
    }

    public override string Description { get; }

    public override bool IsShared => true;

    /// <summary>For the trust listener's own connection (outside the pool, it lives as long as the node).</summary>
    public string ConnectionString { get; }

    /// <summary>
    /// The channel only this node listens on for its own heartbeats (see <c>Trust/TrustListener</c>), so no other node
    /// wakes up for them. 52 characters, within PostgreSQL's 63-byte identifier limit.
    /// </summary>
    public string HeartbeatChannel => "aar_trust_heartbeat_" + _node;

    /// <summary>
    /// Sends a heartbeat through the pool (a connection other than the listener's), committed at once, to come back
    /// on <see cref="HeartbeatChannel"/>. The payload is the sender's own monotonic timestamp.
    /// </summary>
    public async Task SendHeartbeatAsync(long sentAt, CancellationToken cancellationToken)
    {
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        await using var command = connection.Command("SELECT pg_notify(@channel, @payload)");
        command.Add("@channel", HeartbeatChannel);
        command.Add("@payload", sentAt.ToString(CultureInfo.InvariantCulture));
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public override async Task<DbConnection> OpenAsync(CancellationToken cancellationToken) =>
        await _dataSource.OpenConnectionAsync(cancellationToken);

    public override async Task<DbTransaction> BeginWriteAsync(DbConnection connection, CancellationToken cancellationToken)
    {
        // READ COMMITTED + the row lock: once the lock is ours, each later statement sees everything committed
        // before, which is what the checks in a write need.
        var transaction = await connection.BeginTransactionAsync(IsolationLevel.ReadCommitted, cancellationToken);
        await using var command = connection.Command("SELECT generation FROM registry_state WHERE id = 1 FOR UPDATE", transaction);
        await command.ExecuteScalarAsync(cancellationToken);
        return transaction;
    }

    public override async Task<DbTransaction> BeginReadAsync(DbConnection connection, CancellationToken cancellationToken) =>
        await connection.BeginTransactionAsync(IsolationLevel.RepeatableRead, cancellationToken);

    public override async Task NotifyTrustChangedAsync(DbConnection connection, CancellationToken cancellationToken)
    {
        // Delivered to listeners only when (and if) the surrounding transaction commits. The payload lets this node
        // recognise its own notification when it comes back (TrustStore waits for that before answering).
        var sequence = Interlocked.Increment(ref _lastTrustNotice);
        await using var command = connection.Command("SELECT pg_notify(@channel, @payload)");
        command.Add("@channel", TrustChannel);
        command.Add("@payload", string.Create(CultureInfo.InvariantCulture, $"{_node}:{sequence}"));
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public override async Task<long> NextGenerationAsync(DbConnection connection, CancellationToken cancellationToken)
    {
        // One round trip: the bump and its announcement, which PostgreSQL delivers at commit, in commit order.
        await using var command = connection.Command(
            $"WITH bumped AS (UPDATE registry_state SET generation = generation + 1 WHERE id = 1 RETURNING generation) SELECT generation, pg_notify('{GenerationChannel}', generation::text) FROM bumped");
        return Convert.ToInt64(await command.ExecuteScalarAsync(cancellationToken), CultureInfo.InvariantCulture);
    }

    public override long LastTrustNotice => Interlocked.Read(ref _lastTrustNotice);

    /// <summary>
    /// The channel only this node listens on for other nodes' confirmations that they received one of its trust
    /// notifications (see <see cref="ConfirmTrustNoticeAsync"/>). 46 characters, within the 63-byte limit.
    /// </summary>
    public string ConfirmationChannel => ConfirmationChannelOf(_node);

    private static string ConfirmationChannelOf(string node) => "aar_trust_seen_" + node;

    /// <summary>
    /// Parses a trust notification's payload (<c>&lt;node&gt;:&lt;sequence&gt;</c>). A payload of another shape (an
    /// older node, or anyone with NOTIFY rights on the database) is still a trust change, just not one to confirm.
    /// </summary>
    public static bool TryParseNotice(string payload, out string node, out long sequence)
    {
        var colon = payload.IndexOf(':', StringComparison.Ordinal);
        node = colon > 0 ? payload[..colon] : "";
        sequence = 0;
        return colon == NodeIdLength
            && node.All(char.IsAsciiHexDigitLower)
            && long.TryParse(payload.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out sequence);
    }

    private const int NodeIdLength = 32;

    /// <summary>The sequence number in a notification this node sent, or 0 for another node's.</summary>
    public long OwnNoticeSequence(string payload) =>
        TryParseNotice(payload, out var node, out var sequence) && node == _node ? sequence : 0;

    /// <summary>
    /// Tells the node that sent trust notification <paramref name="sequence"/> that this node has received it (and
    /// marked its snapshot outdated), on that node's <see cref="ConfirmationChannel"/>. The payload is
    /// <c>&lt;sequence&gt;:&lt;this node&gt;</c>.
    /// </summary>
    public async Task ConfirmTrustNoticeAsync(string node, long sequence, CancellationToken cancellationToken)
    {
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        await using var command = connection.Command("SELECT pg_notify(@channel, @payload)");
        command.Add("@channel", ConfirmationChannelOf(node));
        command.Add("@payload", string.Create(CultureInfo.InvariantCulture, $"{sequence}:{_node}"));
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>Parses a confirmation's payload (<c>&lt;sequence&gt;:&lt;node&gt;</c>).</summary>
    public static bool TryParseConfirmation(string payload, out long sequence, out string node)
    {
        var colon = payload.IndexOf(':', StringComparison.Ordinal);
        node = colon >= 0 ? payload[(colon + 1)..] : "";
        sequence = 0;
        return colon > 0
            && node.Length == NodeIdLength
            && node.All(char.IsAsciiHexDigitLower)
            && long.TryParse(payload.AsSpan(0, colon), NumberStyles.None, CultureInfo.InvariantCulture, out sequence);
    }

    /// <summary>
    /// The listener sessions of other nodes on this database (by their application_name, which every role can read
    /// in pg_stat_activity). A node whose listener is reconnecting may count twice for a moment: its change then
    /// waits for the confirmation timeout, which is only slower.
    /// </summary>
    public override async Task<int> CountOtherFollowersAsync(CancellationToken cancellationToken)
    {
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        await using var command = connection.Command(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND application_name = @application");
        command.Add("@application", ListenerApplicationName);
        var listeners = Convert.ToInt32(await command.ExecuteScalarAsync(cancellationToken), CultureInfo.InvariantCulture);
        // This node's own listener is one of them when it is connected.
        return Math.Max(0, listeners - 1);
    }

    /// <summary>The application_name of a node's trust listener connection, so it can be told apart in pg_stat_activity.</summary>
    public const string ListenerApplicationName = "aar-trust-listener";

    public override async Task MigrateAsync(CancellationToken cancellationToken)
    {
        try
        {
            await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
            await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
            await using (var command = connection.Command($"SELECT pg_advisory_xact_lock({MigrationLockKey}); CREATE TABLE IF NOT EXISTS schema_version (version integer NOT NULL);", transaction))
            {
                // The lock is held to the end of the transaction: a second node waits here, then sees the schema done.
                await command.ExecuteNonQueryAsync(cancellationToken);
            }

            await using (var command = connection.Command("SELECT coalesce(max(version), 0) FROM schema_version", transaction))
            {
                var current = Convert.ToInt32(await command.ExecuteScalarAsync(cancellationToken), CultureInfo.InvariantCulture);
                if (current > PostgresMigrations.Steps.Length)
                {
                    throw new StartupException($"The PostgreSQL database {Description} has schema version {current}, newer than this aar understands ({PostgresMigrations.Steps.Length}); run the newer aar on every node, or restore a backup made with this one.");
                }

                for (var version = current + 1; version <= PostgresMigrations.Steps.Length; version++)
                {
                    await using var step = connection.Command(PostgresMigrations.Steps[version - 1] + $"; INSERT INTO schema_version (version) VALUES ({version});", transaction);
                    await step.ExecuteNonQueryAsync(cancellationToken);
                }
            }

            await transaction.CommitAsync(cancellationToken);
        }
        catch (Exception ex) when (ex is NpgsqlException or TimeoutException)
        {
            throw Explain(ex);
        }
    }

    public override DatabaseFault Classify(Exception exception) => exception switch
    {
        // Class 08 connection failures, 53 insufficient resources, 57P0x shutdown / cannot connect now,
        // 40001/40P01 serialization failure and deadlock (retryable), 55P03 lock not available.
        PostgresException pg => pg.SqlState.StartsWith("08", StringComparison.Ordinal)
            || pg.SqlState.StartsWith("53", StringComparison.Ordinal)
            || pg.SqlState.StartsWith("57P", StringComparison.Ordinal)
            || pg.SqlState is "40001" or "40P01" or "55P03"
            ? DatabaseFault.Unavailable : DatabaseFault.None,
        // Anything else from Npgsql is the connection itself: refused, reset, timed out, broken mid-command.
        NpgsqlException => DatabaseFault.Unavailable,
        TimeoutException => DatabaseFault.Unavailable,
        _ => DatabaseFault.None,
    };

    /// <summary>Turns what an operator can meet at start into one sentence saying what to check (never the password).</summary>
    public StartupException Explain(Exception ex) => ex switch
    {
        PostgresException { SqlState: "28P01" or "28000" } => new StartupException($"PostgreSQL at {Description} refused the login; check the user name and password in --database (or AAR_DATABASE).", ex),
        PostgresException { SqlState: "3D000" } => new StartupException($"The PostgreSQL database {Description} does not exist; create it (CREATE DATABASE) or correct the database name in --database.", ex),
        PostgresException { SqlState: "42501" } => new StartupException($"The PostgreSQL user cannot create or change the registry's tables in {Description}; grant it CREATE on the database (or the schema) and start again.", ex),
        PostgresException pg => new StartupException($"The PostgreSQL database {Description} cannot be used ({pg.SqlState}: {pg.MessageText}).", ex),
        _ when ex.InnerException is AuthenticationException tls => new StartupException($"PostgreSQL at {Description} could not be verified ({tls.Message.TrimEnd('.')}); check that sslrootcert (Root Certificate) in --database is the root that signed the server's certificate, and that the certificate names the host given there.", ex),
        _ when ex.InnerException is SocketException socket => new StartupException($"Cannot connect to PostgreSQL at {Description} ({socket.Message}); check that the server is running and reachable, and the host and port in --database.", ex),
        _ => new StartupException($"Cannot connect to PostgreSQL at {Description} ({ex.Message.TrimEnd('.')}); check that the server is running and reachable, and the connection settings in --database.", ex),
    };

    /// <summary>Closes idle pooled connections, e.g. after the server restarted and they are all broken.</summary>
    public void ClearPool() => _dataSource.Clear();

    public ValueTask DisposeAsync() => _dataSource.DisposeAsync();
}
