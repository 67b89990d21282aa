using System.Diagnostics.Metrics;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Prometheus;

namespace Aar.Hosting;

/// <summary>
/// Metrics and health for a daemon: its <see cref="System.Diagnostics.Metrics"/> instruments exported in the
/// Prometheus text format by prometheus-net, and ASP.NET Core health checks, all served on the
/// <see cref="MetricsListener"/> only.
/// </summary>
public static class DaemonMetrics
{
    /// <summary>The tag of the health checks <c>/readyz</c> runs; <c>/healthz</c> runs none (the process answers).</summary>
    public const string ReadyTag = "ready";

    /// <summary>
    /// Exports the instruments of the meter named <paramref name="meterName"/> created through this service
    /// provider's <see cref="IMeterFactory"/> (so two daemons in one test process never see each other's numbers),
    /// and returns the health-check builder for the daemon's readiness checks.
    /// </summary>
    public static IHealthChecksBuilder AddDaemonMetrics(this IServiceCollection services, string meterName)
    {
        services.AddMetrics();
        services.AddSingleton(provider => new MetricsExport(
            provider.GetRequiredService<IMeterFactory>(), meterName, provider.GetServices<IMetricsSource>(), provider.GetRequiredService<ILogger<MetricsExport>>()));
        return services.AddHealthChecks();
    }

    /// <summary>
    /// Sends requests from the metrics listener down their own branch, ahead of everything else: <c>/metrics</c>,
    /// <c>/healthz</c>, <c>/readyz</c>, and 404 for any other path. Requests from other listeners pass on untouched.
    /// </summary>
    public static void UseMetricsListener(this IApplicationBuilder app)
    {
        var export = app.ApplicationServices.GetRequiredService<MetricsExport>();
        app.MapWhen(MetricsListener.IsMetricsRequest, branch =>
        {
            branch.MapWhen(context => IsPath(context, "/metrics"), metrics =>
            {
                metrics.Use(async (context, next) =>
                {
                    await export.RefreshAsync(context.RequestAborted);
                    await next(context);
                });
                metrics.UseMetricServer(settings => settings.Registry = export.Registry, url: null);
            });
            branch.UseHealthChecks("/healthz", new HealthCheckOptions { Predicate = _ => false, ResponseWriter = HealthResponse.WriteAsync });
            branch.UseHealthChecks("/readyz", new HealthCheckOptions { Predicate = check => check.Tags.Contains(ReadyTag), ResponseWriter = HealthResponse.WriteAsync });
            branch.Run(context =>
            {
                context.Response.StatusCode = StatusCodes.Status404NotFound;
                return Task.CompletedTask;
            });
        });
    }

    private static bool IsPath(HttpContext context, string path) =>
        context.Request.Path.Equals(path, StringComparison.Ordinal);
}
