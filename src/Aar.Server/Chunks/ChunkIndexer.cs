using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Aar.Server.Chunks;

/// <summary>
/// Computes scheduled indexes one at a time in the background, so the first client asking for a new version's index
/// finds it ready and a publish never waits for a pass over its blob.
/// </summary>
internal sealed partial class ChunkIndexer(ChunkIndexes indexes, ILogger<ChunkIndexer> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await DrainAsync(stoppingToken);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping while waiting for work: what was scheduled is computed on first use.
        }
    }

    private async Task DrainAsync(CancellationToken stoppingToken)
    {
        await foreach (var digest in indexes.Scheduled.ReadAllAsync(stoppingToken))
        {
            try
            {
                await indexes.GetAsync(digest, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                // The index is computed again on first use; one bad blob must not stop the others.
                Log.IndexFailed(logger, digest.ToString(), ex.Message);
            }
        }
    }

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Warning, Message = "Chunk index of {Digest} not computed: {Reason}")]
        public static partial void IndexFailed(ILogger logger, string digest, string reason);
    }
}
