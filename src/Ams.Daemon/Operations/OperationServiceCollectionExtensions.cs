using Microsoft.Extensions.DependencyInjection;

namespace Ams.Daemon.Operations;

internal static class OperationServiceCollectionExtensions
{
    /// <summary>Background operations the API hands out (202 + operation) and clients wait on.</summary>
    public static IServiceCollection AddOperations(this IServiceCollection services)
    {
        services.AddSingleton<OperationRegistry>();
        return services;
    }
}
