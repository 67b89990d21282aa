using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Aar.Server.Trust;

/// <summary>
/// Loads <see cref="ClientActivity"/> at start and writes what changed every <see cref="Interval"/> and once more at
/// shutdown: the per-request path only touches memory, and a restart loses at most the last few seconds. A failed
/// write is logged and its rows retried at the next tick.
/// </summary>
internal sealed partial class ClientActivityFlusher(ClientActivity activity, ClientActivityDatabase database, TimeProvider time, ILogger<ClientActivityFlusher> logger) : BackgroundService
{
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(5);

    private static readonly TimeSpan ShutdownBudget = TimeSpan.FromSeconds(5);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            foreach (var (fingerprint, view) in await database.LoadAsync(stoppingToken))
            {
                activity.Load(fingerprint, view);
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            Log.ActivityNotLoaded(logger, ex);
        }

        using var timer = new PeriodicTimer(Interval, time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                await FlushAsync(stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutting down: StopAsync writes the last batch.
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        using var budget = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        budget.CancelAfter(ShutdownBudget);
        await FlushAsync(budget.Token);
    }

    /// <summary>Writes the changed rows; internal so tests can flush without waiting for the timer.</summary>
    internal async Task FlushAsync(CancellationToken cancellationToken)
    {
        var changed = activity.TakeChanged();
        if (changed.Count == 0)
        {
            return;
        }

        try
        {
            await database.WriteAsync(changed, cancellationToken);
        }
        catch (Exception ex)
        {
            activity.Restore(changed.Select(c => c.Fingerprint));
            Log.ActivityNotWritten(logger, changed.Count, ex);
        }
    }

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Warning, Message = "Could not read the clients' last activity; the dashboard and metrics start empty")]
        public static partial void ActivityNotLoaded(ILogger logger, Exception exception);

        [LoggerMessage(Level = LogLevel.Warning, Message = "Could not write the last activity of {Count} clients; trying again shortly")]
        public static partial void ActivityNotWritten(ILogger logger, int count, Exception exception);
    }
}
