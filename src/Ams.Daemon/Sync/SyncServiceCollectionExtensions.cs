using Aar.Hosting;
using Microsoft.Extensions.DependencyInjection;

namespace Ams.Daemon.Sync;

internal static class SyncServiceCollectionExtensions
{
    /// <summary>Registry sync: the worker, what a pass uses, and join.</summary>
    public static IServiceCollection AddSync(this IServiceCollection services, SyncOptions options)
    {
        services.AddSingleton(options);
        services.AddSingleton<SyncStateStore>();
        services.AddSingleton<SyncStatusTracker>();
        services.AddSingleton<SyncMetrics>();
        services.AddSingleton<IMetricsSource>(provider => provider.GetRequiredService<SyncMetrics>());
        services.AddSingleton<RegistryConnector>();
        services.AddSingleton<SignedIndex>();
        services.AddSingleton<Pusher>();
        services.AddSingleton<DeltaDownloader>();
        services.AddSingleton<Puller>();
        services.AddSingleton<SyncCoordinator>();
        services.AddSingleton<RegistryJoin>();
        services.AddSingleton<SyncWorker>();
        services.AddHostedService(provider => provider.GetRequiredService<SyncWorker>());
        return services;
    }
}
