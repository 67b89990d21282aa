using Aar.Hosting;
using Microsoft.Extensions.DependencyInjection;

namespace Aar.Server.Chunks;

internal static class ChunkServiceCollectionExtensions
{
    /// <summary>One chunk index per stored blob (a sidecar), the background indexer, and the chunk and range routes.</summary>
    public static IServiceCollection AddChunks(this IServiceCollection services, ChunkOptions options)
    {
        services.AddSingleton(options);
        services.AddSingleton<ChunkMetrics>();
        services.AddSingleton<IMetricsSource>(provider => provider.GetRequiredService<ChunkMetrics>());
        services.AddSingleton<ChunkIndexes>();
        services.AddSingleton<IChunkIndexes>(provider => provider.GetRequiredService<ChunkIndexes>());
        services.AddHostedService<ChunkIndexer>();
        return services;
    }
}
