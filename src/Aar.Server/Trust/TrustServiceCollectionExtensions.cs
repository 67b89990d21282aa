using Aar.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;

namespace Aar.Server.Trust;

internal static class TrustServiceCollectionExtensions
{
    /// <summary>
    /// The trust store and its database; with <paramref name="followSharedDatabase"/> (a shared PostgreSQL) also the
    /// listener that follows other nodes' trust changes.
    /// </summary>
    public static IServiceCollection AddTrust(this IServiceCollection services, bool followSharedDatabase)
    {
        if (followSharedDatabase)
        {
            services.AddHostedService<TrustListener>();
        }

        services.AddSingleton<TrustDatabase>();
        services.AddSingleton<TrustStore>();
        services.AddSingleton<ClientActivity>();
        services.AddSingleton<ClientActivityDatabase>();
        services.AddSingleton<ClientActivityFlusher>();
        services.AddHostedService(provider => provider.GetRequiredService<ClientActivityFlusher>());
        services.AddSingleton<TrustMetrics>();
        services.AddSingleton<IMetricsSource>(provider => provider.GetRequiredService<TrustMetrics>());
        return services;
    }

    /// <summary>The gate every request passes after routing: it decides from the matched endpoint's declared access rule.</summary>
    public static IApplicationBuilder UseTrustGate(this IApplicationBuilder app) => app.UseMiddleware<TrustGateMiddleware>();
}
