using Aar.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Aar.Server.Uploads;

internal static partial class UploadServiceCollectionExtensions
{
    /// <summary>Resumable upload sessions and their reclaimer; one staging (file or S3) is added beside them.</summary>
    public static IServiceCollection AddUploads(this IServiceCollection services, UploadOptions options)
    {
        services.AddSingleton(options);
        services.AddSingleton<UploadDatabase>();
        services.AddSingleton<UploadSessions>();
        services.AddHostedService<UploadReclaimer>();
        services.AddSingleton<IMetricsSource, UploadMetrics>();
        return services;
    }

    /// <summary>Sessions as partial files in <paramref name="directory"/> (<c>&lt;data&gt;/uploads</c>), beside a file blob store.</summary>
    public static IServiceCollection AddFileUploadStaging(this IServiceCollection services, string directory)
    {
        services.AddSingleton(new UploadArea(directory));
        services.AddSingleton<IUploadStaging, FileUploadStaging>();
        return services;
    }

    /// <summary>Sessions as S3 multipart uploads, beside an S3 blob store.</summary>
    public static IServiceCollection AddS3UploadStaging(this IServiceCollection services) =>
        services.AddSingleton<IUploadStaging, S3UploadStaging>();

    /// <summary>
    /// Removes what a killed server left half-written: temporary blob files and partial upload files that no
    /// session names. Runs before the server listens, under the data directory lock.
    /// </summary>
    public static async Task CleanUpAfterCrashAsync(IServiceProvider services, CancellationToken cancellationToken)
    {
        var sessions = await services.GetRequiredService<UploadDatabase>().ListAsync(cancellationToken);
        var orphans = services.GetRequiredService<IUploadStaging>().DeleteOrphans(sessions.Select(s => s.Id).ToHashSet(StringComparer.Ordinal));
        if (orphans > 0)
        {
            // The category it had when storage registered the upload services, so log filters keep matching.
            Log.UploadLeftoversRemoved(services.GetRequiredService<ILoggerFactory>().CreateLogger("Aar.Server.Storage"), orphans);
        }
    }

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Information, Message = "Removed {Orphans} unfinished blob and upload files left by an earlier run")]
        public static partial void UploadLeftoversRemoved(ILogger logger, int orphans);
    }
}
