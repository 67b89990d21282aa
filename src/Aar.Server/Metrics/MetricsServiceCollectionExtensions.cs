using Aar.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Aar.Server.Metrics;

internal static class MetricsServiceCollectionExtensions
{
    /// <summary>The request and byte counts (each feature registers its own instruments).</summary>
    public static IServiceCollection AddRequestMetrics(this IServiceCollection services, TransportBytes transport)
    {
        services.AddSingleton(transport);
        services.AddSingleton<RequestMetrics>();
        services.AddSingleton<IMetricsSource>(provider => provider.GetRequiredService<RequestMetrics>());
        return services;
    }

    /// <summary>Counts every request once it is answered; first in the pipeline, so every refusal and error counts too.</summary>
    public static IApplicationBuilder UseRequestMetrics(this IApplicationBuilder app)
    {
        var metrics = app.ApplicationServices.GetRequiredService<RequestMetrics>();
        return app.Use(async (context, next) =>
        {
            try
            {
                await next(context);
            }
            catch
            {
                // Not answered by the problem handlers: Kestrel answers 500 (or resets, if the response had started).
                metrics.Record(context, StatusCodes.Status500InternalServerError);
                throw;
            }

            metrics.Record(context, context.Response.StatusCode);
        });
    }
}
