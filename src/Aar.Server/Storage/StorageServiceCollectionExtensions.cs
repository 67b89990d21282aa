using Aar.Hosting;
using Aar.Server.Storage.Hashing;
using Aar.Server.Storage.S3;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Aar.Server.Storage;

internal static partial class StorageServiceCollectionExtensions
{
    /// <summary>What every blob store shares: the blob routes' size limit and the record of blobs found missing.</summary>
    public static IServiceCollection AddStorage(this IServiceCollection services, BlobLimits limits)
    {
        services.AddSingleton(limits);
        services.AddSingleton<MissingBlobs>();
        return services;
    }

    /// <summary>Blobs as files under the data directory (<c>--blob-store filesystem</c>).</summary>
    public static IServiceCollection AddFileBlobStore(this IServiceCollection services, FileBlobStoreOptions options)
    {
        services.AddSingleton(options);
        services.AddSingleton(new FileSystemBlobStore(options.BlobsDirectory, options.QuarantineDirectory));
        services.AddSingleton<IBlobStore>(provider => provider.GetRequiredService<FileSystemBlobStore>());
        services.AddSingleton<IBlobSidecars>(provider => provider.GetRequiredService<FileSystemBlobStore>());
        return services;
    }

    /// <summary>Blobs in an S3-compatible bucket (<c>--blob-store s3</c>), and the multipart seam upload sessions stage through.</summary>
    public static IServiceCollection AddS3BlobStore(this IServiceCollection services, S3StorageOptions options)
    {
        services.AddSingleton(new S3Connection(options));
        services.AddSingleton<S3BlobStore>();
        services.AddSingleton<IBlobStore>(provider => provider.GetRequiredService<S3BlobStore>());
        services.AddSingleton<IBlobSidecars>(provider => provider.GetRequiredService<S3BlobStore>());
        services.AddSingleton<IS3MultipartStaging>(provider => provider.GetRequiredService<S3BlobStore>());
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
        Log.BlobStoreS3(logger, s3.Options.Endpoint ?? "AWS", s3.Bucket, s3.Options.Prefix, s3.Options.PartSize, s3.Options.Redirect);
        if (!ResumableSha256.IsResumable)
        {
            Log.UploadHashStateUnavailable(logger);
        }
    }

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Information, Message = "Blobs in S3 at {Endpoint}, bucket {Bucket}, prefix '{Prefix}', part size {PartSize} bytes, download redirects {Redirect}")]
        public static partial void BlobStoreS3(ILogger logger, string endpoint, string bucket, string prefix, long partSize, bool redirect);

        [LoggerMessage(Level = LogLevel.Warning, Message = "libcrypto.so.3 cannot be loaded: upload hash states are not saved, so an S3 upload session does not survive the node serving it (the client starts over)")]
        public static partial void UploadHashStateUnavailable(ILogger logger);
    }
}
