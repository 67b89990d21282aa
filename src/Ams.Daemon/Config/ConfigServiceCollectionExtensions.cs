using Ams.Daemon.Trust;
using Microsoft.Extensions.DependencyInjection;

namespace Ams.Daemon.Config;

internal static class ConfigServiceCollectionExtensions
{
    /// <summary>The persisted configuration; it also tells the trust list which certificate is pinned.</summary>
    public static IServiceCollection AddConfig(this IServiceCollection services, ConfigOptions options)
    {
        services.AddSingleton(s => ActivatorUtilities.CreateInstance<ConfigStore>(s, options.Architecture));
        services.AddSingleton<IRegistryPin>(s => s.GetRequiredService<ConfigStore>());
        return services;
    }
}
