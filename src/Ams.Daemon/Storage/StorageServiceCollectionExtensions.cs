using Microsoft.Extensions.DependencyInjection;

namespace Ams.Daemon.Storage;

internal static class StorageServiceCollectionExtensions
{
    /// <summary>The content-addressed package store.</summary>
    public static IServiceCollection AddStorage(this IServiceCollection services, StorageOptions options)
    {
        services.AddSingleton(options);
        services.AddSingleton<PackageStore>();
        return services;
    }
}
