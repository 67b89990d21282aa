using Aar.Hosting;
using Microsoft.Extensions.DependencyInjection;

namespace Aar.Server.Collection;

internal static class CollectionServiceCollectionExtensions
{
    /// <summary>Garbage collection of unnamed blobs and the scrub (on demand, and on a timer when configured).</summary>
    public static IServiceCollection AddCollection(this IServiceCollection services, CollectionOptions options)
    {
        services.AddSingleton(options);
        services.AddSingleton<CollectionMetrics>();
        services.AddSingleton<IMetricsSource>(provider => provider.GetRequiredService<CollectionMetrics>());
        services.AddSingleton<BlobScrubber>();
        services.AddHostedService<BlobCollector>();
        services.AddHostedService<ScrubScheduler>();
        return services;
    }
}
