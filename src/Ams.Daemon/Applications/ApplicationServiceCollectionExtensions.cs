using Microsoft.Extensions.DependencyInjection;

namespace Ams.Daemon.Applications;

internal static class ApplicationServiceCollectionExtensions
{
    /// <summary>Applications: their database, the catalog, package uploads and the remembered rejections of pulled versions.</summary>
    public static IServiceCollection AddApplications(this IServiceCollection services, ApplicationOptions options)
    {
        services.AddSingleton(options);
        services.AddSingleton<ApplicationDatabase>();
        services.AddSingleton<RejectedVersions>();
        services.AddSingleton<ApplicationCatalog>();
        services.AddSingleton<PackageUploads>();
        return services;
    }
}
