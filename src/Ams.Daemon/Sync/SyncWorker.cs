using Ams.Daemon.Config;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Ams.Daemon.Sync;

/// <summary>
/// Runs a pass at start and then every <c>registry.update_interval</c> (plus a little jitter, so a fleet of clients
/// started together does not poll in step). A failed pass is retried sooner, with exponential backoff up to the
/// interval. A change of a <c>registry.*</c> key reschedules at once. Nothing runs while <c>registry.url</c> is empty or
/// in manual mode. A delay on <see cref="TimeProvider"/> (not a PeriodicTimer) because each wait has its own length.
/// </summary>
internal sealed partial class SyncWorker(ConfigStore config, SyncCoordinator coordinator, SyncStatusTracker status, TimeProvider time, ILogger<SyncWorker> logger) : BackgroundService
{
    private static readonly TimeSpan FirstRetry = TimeSpan.FromSeconds(10);
    private TaskCompletionSource _wake = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Starts a pass as soon as the one running (if any) is over.</summary>
    public void Wake() => Interlocked.Exchange(ref _wake, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        config.Changed += OnConfigChanged;
        try
        {
            var failures = 0;
            while (!stoppingToken.IsCancellationRequested)
            {
                var wake = Volatile.Read(ref _wake).Task;
                var current = config.Current;
                TimeSpan? delay = null;
                if (current.RegistryUrl is not null && current.Mode != RegistryMode.Manual)
                {
                    status.NextPassAt = null;
                    failures = await RunPassAsync(stoppingToken) ? 0 : failures + 1;
                    delay = NextDelay(config.Current.UpdateInterval, failures);
                }

                status.NextPassAt = delay is { } wait ? time.GetUtcNow() + wait : null;
                await WaitAsync(delay, wake, stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutting down.
        }
        finally
        {
            config.Changed -= OnConfigChanged;
        }
    }

    /// <summary>
    /// One scheduled pass; false when it failed. The coordinator turns every failure into a failed report; this guard
    /// is the last line behind it, so that nothing a pass throws can end the loop (and with it the daemon).
    /// </summary>
    private async Task<bool> RunPassAsync(CancellationToken stoppingToken)
    {
        try
        {
            var report = await coordinator.RunAsync(null, null, stoppingToken);
            return report.Result != PassResult.Failed.ToWire();
        }
        catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
        {
            Log.SyncPassEscaped(logger, ex);
            return false;
        }
    }

    private static TimeSpan NextDelay(TimeSpan interval, int failures)
    {
        if (failures > 0)
        {
            var backoff = FirstRetry * Math.Pow(2, Math.Min(failures - 1, 16));
            return backoff < interval ? backoff : interval;
        }

        var jitter = TimeSpan.FromMilliseconds(Random.Shared.NextDouble() * Math.Min(interval.TotalMilliseconds * 0.05, 30_000));
        return interval + jitter;
    }

    private async Task WaitAsync(TimeSpan? delay, Task wake, CancellationToken stoppingToken)
    {
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        var tasks = new List<Task> { wake, Task.Delay(Timeout.InfiniteTimeSpan, cancel.Token) };
        if (delay is { } wait)
        {
            tasks.Add(Task.Delay(wait, time, cancel.Token));
        }

        await Task.WhenAny(tasks);
        await cancel.CancelAsync();
        stoppingToken.ThrowIfCancellationRequested();
    }

    private void OnConfigChanged(object? sender, ConfigChange change)
    {
        if (change.Key.StartsWith("registry.", StringComparison.Ordinal))
        {
            Wake();
        }
    }

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Error, Message = "A sync pass failed outside its report; retrying with backoff")]
        public static partial void SyncPassEscaped(ILogger logger, Exception exception);
    }
}
