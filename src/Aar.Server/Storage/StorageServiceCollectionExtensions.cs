using Aar.Hosting;
using Aar.Server.Hosting;
using Aar.Server.Storage.Hashing;
using Aar.Server.Storage.S3;
using Aar.Server.Uploads;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Aar.Server.Storage;

internal static partial class StorageServiceCollectionExtensions
{
    /// <summary>The blob store chosen by <c>--blob-store</c> (files under the data directory, or S3) and upload sessions.</summary>
    public static IServiceCollection AddStorage(this IServiceCollection services, DataDirectory data, ServeOptions options)
    {
        if (options.BlobStore == "s3")
        {
            services.AddSingleton(new S3Connection(options.S3));
            services.AddSingleton<S3BlobStore>();
            services.AddSingleton<IBlobStore>(provider => provider.GetRequiredService<S3BlobStore>());
            services.AddSingleton<IUploadStaging, S3UploadStaging>();
        }
        else
        {
            services.AddSingleton(new FileSystemBlobStore(data.BlobsDirectory, data.QuarantineDirectory));
            services.AddSingleton<IBlobStore>(provider => provider.GetRequiredService<FileSystemBlobStore>());
            services.AddSingleton(new UploadArea(data.UploadsDirectory));
            services.AddSingleton<IUploadStaging, FileUploadStaging>();
        }

        services.AddSingleton<UploadDatabase>();
        services.AddSingleton<UploadSessions>();
        services.AddHostedService<UploadReclaimer>();
        return services;
    }

    /// <summary>At start, before listening: the S3 bucket must answer (a <see cref="StartupException"/> says what to do otherwise).</summary>
    public static async Task CheckStorageAsync(IServiceProvider services, CancellationToken cancellationToken)
    {
        if (services.GetService<S3Connection>() is not { } s3)
        {
            return;
        }

        await s3.EnsureBucketAsync(cancellationToken);
        var logger = services.GetRequiredService<ILoggerFactory>().CreateLogger("Aar.Server.Storage");
        Log.UsingS3(logger, s3.Options.Endpoint ?? "AWS", s3.Bucket, s3.Options.Prefix, s3.Options.PartSize, s3.Options.Redirect);
        if (!ResumableSha256.IsResumable)
        {
            Log.NotResumable(logger);
        }
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
        [LoggerMessage(Level = LogLevel.Information, Message = "Blobs in S3 at {Endpoint}, bucket {Bucket}, prefix '{Prefix}', part size {PartSize} bytes, download redirects {Redirect}")]
        public static partial void UsingS3(ILogger logger, string endpoint, string bucket, string prefix, long partSize, bool redirect);

        [LoggerMessage(Level = LogLevel.Warning, Message = "libcrypto.so.3 cannot be loaded: upload hash states are not saved, so an S3 upload session does not survive the node serving it (the client starts over)")]
        public static partial void NotResumable(ILogger logger);

        [LoggerMessage(Level = LogLevel.Information, Message = "Removed {Orphans} unfinished blob and upload files left by an earlier run")]
        public static partial void CleanedUp(ILogger logger, int orphans);
    }
}
