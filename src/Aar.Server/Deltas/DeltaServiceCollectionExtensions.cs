using Aar.Hosting;
using Aar.Server.Uploads;
using Microsoft.Extensions.DependencyInjection;

namespace Aar.Server.Deltas;

internal static class DeltaServiceCollectionExtensions
{
    /// <summary>Delta uploads: the chunk location table, its lookup, the recorder that fills it, and their metrics.</summary>
    public static IServiceCollection AddDeltas(this IServiceCollection services, DeltaOptions options)
    {
        services.AddSingleton(options);
        services.AddSingleton<ChunkLocations>();
        services.AddSingleton<ChunkLookup>();
        services.AddSingleton<DeltaMetrics>();
        services.AddSingleton<ChunkRecorder>();
        services.AddSingleton<IStoredBlobListener>(provider => provider.GetRequiredService<ChunkRecorder>());
        services.AddHostedService(provider => provider.GetRequiredService<ChunkRecorder>());
        services.AddSingleton<IMetricsSource>(provider => provider.GetRequiredService<DeltaMetrics>());
        return services;
    }
}
