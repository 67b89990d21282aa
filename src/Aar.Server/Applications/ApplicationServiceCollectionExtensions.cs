using Aar.Hosting;
using Microsoft.Extensions.DependencyInjection;

namespace Aar.Server.Applications;

internal static class ApplicationServiceCollectionExtensions
{
    public static IServiceCollection AddApplications(this IServiceCollection services)
    {
        services.AddSingleton<ApplicationDatabase>();
        services.AddSingleton<ApplicationQueries>();
        services.AddSingleton<ApplicationCatalog>();
        services.AddSingleton<IMetricsSource, ApplicationMetrics>();
        return services;
    }
}
