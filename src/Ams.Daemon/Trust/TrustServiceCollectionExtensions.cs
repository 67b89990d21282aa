using Microsoft.Extensions.DependencyInjection;

namespace Ams.Daemon.Trust;

internal static class TrustServiceCollectionExtensions
{
    /// <summary>The certificates this AMS trusts when it talks to a registry.</summary>
    public static IServiceCollection AddTrust(this IServiceCollection services)
    {
        services.AddSingleton<TrustStore>();
        return services;
    }
}
