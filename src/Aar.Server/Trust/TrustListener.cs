using System.Diagnostics;
using System.Globalization;
using Aar.Server.Data;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Aar.Server.Trust;

/// <summary>
/// Follows trust changes made by other registry nodes on a shared PostgreSQL: one dedicated connection runs
/// <c>LISTEN aar_trust</c>, and each notification marks the <see cref="TrustStore"/> snapshot as outdated, so the next
/// request reloads it. The same connection and heartbeat keep the node's <see cref="GenerationCache"/> current
/// (<c>LISTEN aar_generation</c>), so a poller's 304 needs no query.
/// Notifications are sent in the changing transaction and delivered at its commit, so there is no polling delay. When
/// the connection is lost, the store stops trusting its snapshot (every request reloads from the database, and fails
/// with 503 if that is down too) until the listener is back; then one reload covers whatever was missed in between.
/// A connection can also die silently (a half-open TCP connection still looks connected and simply delivers nothing),
/// so every second the node sends itself a heartbeat notification through its pool and expects it back here: each one
/// that returns proves the snapshot fresh as of its sending (<see cref="TrustStore.ConfirmFreshAsOf"/>). Without them
/// the snapshot ages past <see cref="TrustStore.MaxStaleness"/> and requests reload it; after
/// <see cref="SilentAfter"/> without one the connection is given up and made again.
/// </summary>
internal sealed partial class TrustListener(PostgresRegistryDatabase database, TrustStore store, ILogger<TrustListener> logger) : BackgroundService
{
    private static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan WaitSlice = TimeSpan.FromMilliseconds(200);

    /// <summary>How often the node sends itself a heartbeat: a third of <see cref="TrustStore.MaxStaleness"/>.</summary>
    public static readonly TimeSpan HeartbeatInterval = TimeSpan.FromSeconds(1);

    /// <summary>
    /// No heartbeat back for this long: the listener connection is presumed dead and replaced. Correctness does not
    /// wait for this (the staleness bound already made requests reload); it ends the per-bound reloads sooner.
    /// </summary>
    public static readonly TimeSpan SilentAfter = TimeSpan.FromSeconds(10);

    /// <summary>The application_name of the listener's connection, so it can be told apart in pg_stat_activity.</summary>
    public const string ApplicationName = PostgresRegistryDatabase.ListenerApplicationName;

    private long _lastEcho;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var backoff = TimeSpan.FromMilliseconds(100);
        var wasDown = false;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await ListenAsync(onListening: () =>
                {
                    backoff = TimeSpan.FromMilliseconds(100);
                    if (wasDown)
                    {
                        Log.TrustListenerBack(logger, database.Description);
                        wasDown = false;
                    }
                }, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception ex) when (ex is NpgsqlException or TimeoutException or IOException)
            {
                store.SetFollowing(false);
                database.Generation.SetFollowing(false);
                // Whatever cut this connection most likely broke the pooled ones too: drop them instead of letting
                // each fail one request later.
                database.ClearPool();
                if (!wasDown)
                {
                    Log.TrustListenerLost(logger, database.Description, ex.Message);
                    wasDown = true;
                }

                try
                {
                    // Real time even when tests fake the clock: this is about a network connection.
                    await Task.Delay(backoff, stoppingToken);
                }
                catch (OperationCanceledException)
                {
                    break;
                }

                backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, MaxBackoff.Ticks));
            }
        }

        store.SetFollowing(false);
        database.Generation.SetFollowing(false);
    }

    private async Task ListenAsync(Action onListening, CancellationToken stoppingToken)
    {
        // Outside the pool: this connection lives as long as the node. No Npgsql KeepAlive: the heartbeat below checks
        // more than the TCP path (that notifications actually arrive) and does so every second.
        var builder = new NpgsqlConnectionStringBuilder(database.ConnectionString) { Pooling = false, ApplicationName = ApplicationName };
        await using var connection = new NpgsqlConnection(builder.ConnectionString);
        var heartbeatChannel = database.HeartbeatChannel;
        var confirmationChannel = database.ConfirmationChannel;
        var generation = database.Generation;
        connection.Notification += (_, notification) =>
        {
            if (notification.Channel == heartbeatChannel)
            {
                if (long.TryParse(notification.Payload, NumberStyles.None, CultureInfo.InvariantCulture, out var sentAt))
                {
                    Interlocked.Exchange(ref _lastEcho, Stopwatch.GetTimestamp());
                    store.ConfirmFreshAsOf(sentAt);
                    generation.ConfirmFreshAsOf(sentAt);
                }

                return;
            }

            if (notification.Channel == PostgresRegistryDatabase.GenerationChannel)
            {
                // The payload is the committed generation itself: nothing to reload.
                if (long.TryParse(notification.Payload, NumberStyles.None, CultureInfo.InvariantCulture, out var committed))
                {
                    generation.Advance(committed);
                }

                return;
            }

            if (notification.Channel == confirmationChannel)
            {
                if (PostgresRegistryDatabase.TryParseConfirmation(notification.Payload, out var seen, out var node))
                {
                    store.ConfirmSeenBy(node, seen);
                }

                return;
            }

            // Mark first (synchronously, as the message is read), so a request arriving now already reloads; then
            // confirm to the sending node (its operator's command waits for every node's confirmation) and reload in
            // the background so the next request usually finds the snapshot fresh. The listener goes straight back
            // to waiting and never misses a notification while either runs.
            var own = database.OwnNoticeSequence(notification.Payload);
            store.MarkChanged(own);
            if (own == 0 && PostgresRegistryDatabase.TryParseNotice(notification.Payload, out var origin, out var sequence))
            {
                _ = Task.Run(() => ConfirmAsync(origin, sequence, stoppingToken), CancellationToken.None);
            }

            _ = Task.Run(() => RefreshAsync(stoppingToken), CancellationToken.None);
        };
        await connection.OpenAsync(stoppingToken);
        await using (var listen = new NpgsqlCommand($"LISTEN {PostgresRegistryDatabase.TrustChannel}; LISTEN {PostgresRegistryDatabase.GenerationChannel}; LISTEN {heartbeatChannel}; LISTEN {confirmationChannel}", connection))
        {
            await listen.ExecuteNonQueryAsync(stoppingToken);
        }

        // Whatever changed before LISTEN took effect is not notified: mark the snapshot outdated once, then follow.
        Interlocked.Exchange(ref _lastEcho, Stopwatch.GetTimestamp());
        store.MarkChanged();
        store.SetFollowing(true);
        generation.Invalidate();
        generation.SetFollowing(true);
        await store.RefreshAsync(stoppingToken);
        onListening();

        // A dedicated thread blocks in Wait, so a notification is handled the moment it arrives, not when a busy
        // thread pool gets to an async continuation: under load that delay let a request on this node be decided on
        // the old snapshot after the changing node had already answered (TwoNodeTests). Wait returns every 200 ms to
        // see the stop token; a timed-out Wait sends nothing.
        using var stopWaiting = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        var waiter = Task.Factory.StartNew(
            () =>
            {
                while (!stopWaiting.IsCancellationRequested)
                {
                    connection.Wait(WaitSlice);
                }
            },
            CancellationToken.None,
            TaskCreationOptions.LongRunning,
            TaskScheduler.Default);

        TimeoutException? silent = null;
        try
        {
            await HeartbeatAsync(waiter, stoppingToken);
        }
        catch (TimeoutException ex)
        {
            silent = ex;
        }

        // The waiter must be off the connection before it is disposed; it throws here if the connection failed.
        await stopWaiting.CancelAsync();
        await waiter;
        if (silent is not null)
        {
            throw silent;
        }
    }

    /// <summary>Sends heartbeats until the waiter ends or the node stops; throws when none came back for <see cref="SilentAfter"/>.</summary>
    private async Task HeartbeatAsync(Task waiter, CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested && !waiter.IsCompleted)
        {
            var silence = Stopwatch.GetElapsedTime(Interlocked.Read(ref _lastEcho));
            if (silence > SilentAfter)
            {
                throw new TimeoutException(string.Create(CultureInfo.InvariantCulture, $"no heartbeat came back on the listener connection for {silence.TotalSeconds:0} s"));
            }

            // Through the pool: if that is down too, requests reload and answer 503 until it is back.
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
            timeout.CancelAfter(HeartbeatInterval * 2);
            try
            {
                await database.SendHeartbeatAsync(Stopwatch.GetTimestamp(), timeout.Token);
            }
            catch (Exception ex) when (ex is NpgsqlException or TimeoutException || (ex is OperationCanceledException && !stoppingToken.IsCancellationRequested))
            {
                Log.TrustHeartbeatFailed(logger, ex.Message);
            }

            // Real time even when tests fake the clock: this is about a network connection.
            await Task.WhenAny(waiter, Task.Delay(HeartbeatInterval, stoppingToken));
        }
    }

    private async Task ConfirmAsync(string origin, long sequence, CancellationToken stoppingToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        timeout.CancelAfter(HeartbeatInterval * 2);
        try
        {
            await database.ConfirmTrustNoticeAsync(origin, sequence, timeout.Token);
        }
        catch (Exception ex) when (ex is NpgsqlException or TimeoutException or OperationCanceledException)
        {
            // The sending node waits out its confirmation timeout instead, which is longer than the staleness bound.
            Log.TrustConfirmationFailed(logger, ex.Message);
        }
    }

    private async Task RefreshAsync(CancellationToken stoppingToken)
    {
        try
        {
            await store.RefreshAsync(stoppingToken);
        }
        catch (Exception ex) when (ex is NpgsqlException or TimeoutException or OperationCanceledException)
        {
            // The snapshot stays marked as outdated, so the next request reloads it (or answers 503).
            Log.TrustReloadFailed(logger, ex.Message);
        }
    }

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Debug, Message = "Could not send the trust heartbeat ({Reason}); requests reload the trust store once it is older than the staleness bound")]
        public static partial void TrustHeartbeatFailed(ILogger logger, string reason);

        [LoggerMessage(Level = LogLevel.Debug, Message = "Could not confirm a trust change to the node that made it ({Reason}); its command waits for the confirmation timeout instead")]
        public static partial void TrustConfirmationFailed(ILogger logger, string reason);

        [LoggerMessage(Level = LogLevel.Debug, Message = "Background trust reload failed ({Reason}); the next request reloads")]
        public static partial void TrustReloadFailed(ILogger logger, string reason);

        [LoggerMessage(Level = LogLevel.Warning, Message = "Lost the trust-change listener on {Database} ({Reason}); every request reloads the trust store until it is back")]
        public static partial void TrustListenerLost(ILogger logger, string database, string reason);

        [LoggerMessage(Level = LogLevel.Information, Message = "Trust-change listener on {Database} is back; following other nodes' trust changes again")]
        public static partial void TrustListenerBack(ILogger logger, string database);
    }
}
