using Aar.Server.Data;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Aar.Server.Trust;

/// <summary>
/// Follows trust changes made by other registry nodes on a shared PostgreSQL: one dedicated connection runs
/// <c>LISTEN aar_trust</c>, and each notification marks the <see cref="TrustStore"/> snapshot as outdated, so the next
/// request reloads it. Notifications are sent in the changing transaction and delivered at its commit, so there is no
/// polling delay. When the connection is lost, the store stops trusting its snapshot (every request reloads from the
/// database, and fails with 503 if that is down too) until the listener is back; then one reload covers whatever
/// was missed in between.
/// </summary>
internal sealed partial class TrustListener(PostgresRegistryDatabase database, TrustStore store, ILogger<TrustListener> logger) : BackgroundService
{
    private static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan WaitSlice = TimeSpan.FromMilliseconds(200);

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
                        Log.Reconnected(logger, database.Description);
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
                // Whatever cut this connection most likely broke the pooled ones too: drop them instead of letting
                // each fail one request later.
                database.ClearPool();
                if (!wasDown)
                {
                    Log.Lost(logger, database.Description, ex.Message);
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
    }

    private async Task ListenAsync(Action onListening, CancellationToken stoppingToken)
    {
        // Outside the pool: this connection lives as long as the node. Keepalive makes a silently dropped network
        // path show up as an error within seconds instead of leaving the node following nothing.
        var builder = new NpgsqlConnectionStringBuilder(database.ConnectionString) { Pooling = false, KeepAlive = 5 };
        await using var connection = new NpgsqlConnection(builder.ConnectionString);
        connection.Notification += (_, notification) =>
        {
            // Mark first (synchronously, as the message is read), so a request arriving now already reloads; then
            // reload in the background so the next request usually finds the snapshot fresh. The listener goes
            // straight back to waiting and never misses a notification while a reload runs.
            store.MarkChanged(database.OwnNoticeSequence(notification.Payload));
            _ = Task.Run(() => RefreshAsync(stoppingToken), CancellationToken.None);
        };
        await connection.OpenAsync(stoppingToken);
        await using (var listen = new NpgsqlCommand($"LISTEN {PostgresRegistryDatabase.TrustChannel}", connection))
        {
            await listen.ExecuteNonQueryAsync(stoppingToken);
        }

        // Whatever changed before LISTEN took effect is not notified: mark the snapshot outdated once, then follow.
        store.MarkChanged();
        store.SetFollowing(true);
        await store.RefreshAsync(stoppingToken);
        onListening();

        // A dedicated thread blocks in Wait, so a notification is handled the moment it arrives, not when a busy
        // thread pool gets to an async continuation: under load that delay let a request on this node be decided on
        // the old snapshot after the changing node had already answered (TwoNodeTests). Wait returns every 200 ms to
        // see the stopping token; a timed-out Wait sends nothing.
        await Task.Factory.StartNew(
            () =>
            {
                while (!stoppingToken.IsCancellationRequested)
                {
                    connection.Wait(WaitSlice);
                }
            },
            CancellationToken.None,
            TaskCreationOptions.LongRunning,
            TaskScheduler.Default);
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
            Log.RefreshFailed(logger, ex.Message);
        }
    }

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Debug, Message = "Background trust reload failed ({Reason}); the next request reloads")]
        public static partial void RefreshFailed(ILogger logger, string reason);

        [LoggerMessage(Level = LogLevel.Warning, Message = "Lost the trust-change listener on {Database} ({Reason}); every request reloads the trust store until it is back")]
        public static partial void Lost(ILogger logger, string database, string reason);

        [LoggerMessage(Level = LogLevel.Information, Message = "Trust-change listener on {Database} is back; following other nodes' trust changes again")]
        public static partial void Reconnected(ILogger logger, string database);
    }
}
