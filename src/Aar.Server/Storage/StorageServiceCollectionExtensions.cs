using Aar.Server.Hosting;
using Aar.Server.Uploads;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Aar.Server.Storage;

internal static partial class StorageServiceCollectionExtensions
{
    /// <summary>The blob store (file system; an S3 store would be chosen here by configuration) and upload sessions.</summary>
    public static IServiceCollection AddStorage(this IServiceCollection services, DataDirectory data)
    {
        services.AddSingleton(new FileSystemBlobStore(data.BlobsDirectory));
        services.AddSingleton<IBlobStore>(provider => provider.GetRequiredService<FileSystemBlobStore>());
        services.AddSingleton(new UploadArea(data.UploadsDirectory));
        services.AddSingleton<IUploadStaging, FileUploadStaging>();
        services.AddSingleton<UploadDatabase>();
        services.AddSingleton<UploadSessions>();
        services.AddHostedService<UploadReclaimer>();
        return services;
    }

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
            Log.CleanedUp(services.GetRequiredService<ILoggerFactory>().CreateLogger("Aar.Server.Storage"), orphans);
        }
    }

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Information, Message = "Removed {Orphans} unfinished blob and upload files left by an earlier run")]
        public static partial void CleanedUp(ILogger logger, int orphans);
    }
}
