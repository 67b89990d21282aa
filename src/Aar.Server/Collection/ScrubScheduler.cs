using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Aar.Server.Collection;

/// <summary>
/// Runs <see cref="BlobScrubber"/> every <see cref="CollectionOptions.ScrubInterval"/> (off by default: a scrub reads
/// every stored byte). Not at start: a restart loop must not turn into a re-hashing loop. A failed scrub is logged
/// and tried again at the next interval.
/// </summary>
internal sealed partial class ScrubScheduler(BlobScrubber scrubber, CollectionOptions options, TimeProvider time, ILogger<ScrubScheduler> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (options.ScrubInterval is not { } interval)
        {
            return;
        }

        using var timer = new PeriodicTimer(interval, time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                try
                {
                    var report = await scrubber.ScrubAsync(stoppingToken);
                    Log.ScrubFinished(logger, report.Checked, report.Bytes, report.Corrupt.Count, report.Missing.Count);
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    if (stoppingToken.IsCancellationRequested)
                    {
                        // Shutting down mid-scrub: the services it uses are going away; not a failure to report.
                        break;
                    }

                    Log.ScrubFailed(logger, ex);
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
        [LoggerMessage(Level = LogLevel.Information, Message = "Scheduled scrub: {Checked} blobs ({Bytes} bytes) checked, {Damaged} damaged and quarantined, {Missing} missing")]
        public static partial void ScrubFinished(ILogger logger, int @checked, long bytes, int damaged, int missing);

        [LoggerMessage(Level = LogLevel.Error, Message = "Scheduled scrub failed; retrying at the next interval")]
        public static partial void ScrubFailed(ILogger logger, Exception exception);
    }
}
