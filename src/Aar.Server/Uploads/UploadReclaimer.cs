using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Aar.Server.Uploads;

/// <summary>
/// Discards upload sessions idle for longer than <see cref="UploadOptions.IdleTimeout"/> and reclaims their
/// bytes. Checks every quarter of the timeout (at most every 5 minutes), so abandoned bytes go within hours, not the
/// week docker-registry keeps them.
/// </summary>
internal sealed partial class UploadReclaimer(UploadSessions sessions, UploadOptions options, TimeProvider time, ILogger<UploadReclaimer> logger) : BackgroundService
{
    public static TimeSpan IntervalFor(TimeSpan idleTimeout) =>
        TimeSpan.FromTicks(Math.Clamp(idleTimeout.Ticks / 4, TimeSpan.FromSeconds(1).Ticks, TimeSpan.FromMinutes(5).Ticks));

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(IntervalFor(options.IdleTimeout), time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                try
                {
                    await sessions.ReclaimExpiredAsync(stoppingToken);
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    Log.UploadReclaimFailed(logger, ex);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutting down.
        }
    }

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Error, Message = "Reclaiming expired uploads failed; retrying at the next interval")]
        public static partial void UploadReclaimFailed(ILogger logger, Exception exception);
    }
}
