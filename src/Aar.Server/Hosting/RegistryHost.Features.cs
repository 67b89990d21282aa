using Aar.Server.Access;
using Aar.Server.Applications;
using Aar.Server.Chunks;
using Aar.Server.Collection;
using Aar.Server.Dashboard;
using Aar.Server.Deltas;
using Aar.Server.Data;
using Aar.Server.Enrolment;
using Aar.Hosting;
using Aar.Server.Info;
using Aar.Server.Metrics;
using Aar.Server.Signing;
using Aar.Server.Status;
using Aar.Server.Storage;
using Aar.Server.Trust;
using Aar.Server.Uploads;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;

namespace Aar.Server.Hosting;

/// <summary>
/// The features of the registry, one line each: what every feature is given (its own options record, built here from
/// <see cref="ServeOptions"/> and <see cref="DataDirectory"/>), and the routes it maps. A new feature adds one
/// <c>AddXxx</c> and one <c>MapXxx</c> here.
/// </summary>
public sealed partial class RegistryHost
{
    private static void AddFeatures(IServiceCollection services, ServeOptions options, DataDirectory data, TransportBytes transport)
    {
        // Readiness: each check is bounded, so a black-holed database makes /readyz answer 503 in time for a load
        // balancer's check instead of hanging it.
        services.AddDaemonMetrics(RegistryMeter.Name)
            .AddCheck<DatabaseProbe>("database", tags: [DaemonMetrics.ReadyTag], timeout: ReadinessTimeout)
            .AddCheck<BlobStoreHealthCheck>("blob-store", tags: [DaemonMetrics.ReadyTag], timeout: ReadinessTimeout)
            .AddCheck<TrustHealthCheck>("trust", tags: [DaemonMetrics.ReadyTag], timeout: ReadinessTimeout)
            .AddCheck<SigningHealthCheck>("signing", tags: [DaemonMetrics.ReadyTag], timeout: ReadinessTimeout);
        services.AddRequestMetrics(transport);
        var database = new RegistryDatabaseOptions { SqlitePath = data.DatabasePath, Database = options.Database };
        services.AddRegistryDatabase(database);
        services.AddTrust(followSharedDatabase: database.IsShared);
        services.AddStorage(new BlobLimits(options.MaxBlobBytes));
        var blobStore = BlobStoreKinds.Of(options);
        if (blobStore == BlobStoreKind.S3)
        {
            services.AddS3BlobStore(options.S3);
            services.AddS3UploadStaging();
        }
        else
        {
            services.AddFileBlobStore(new FileBlobStoreOptions { BlobsDirectory = data.BlobsDirectory, QuarantineDirectory = data.QuarantineDirectory });
            services.AddFileUploadStaging(data.UploadsDirectory);
        }

        services.AddUploads(new UploadOptions
        {
            MaxBlobBytes = options.MaxBlobBytes,
            IdleTimeout = options.UploadIdleTimeout,
            MaxSessionsPerPublisher = options.MaxUploadSessionsPerPublisher,
            StagedBytesCap = options.StagedBytesCap,
        });
        services.AddChunks(new ChunkOptions());
        services.AddDeltas(new DeltaOptions());
        services.AddApplications();
        services.AddSigning(new SigningOptions { KeyPath = options.SigningKeyPath ?? data.SigningKeyPath, ListingValidity = options.ListingValidity });
        services.AddCollection(new CollectionOptions { BlobGracePeriod = options.BlobGracePeriod, ScrubInterval = options.ScrubInterval });
        services.AddEnrolment(new EnrolmentLimits { Attempts = options.EnrolAttempts, Window = options.EnrolWindow });
        services.AddDashboard(new DashboardOptions());
    }

    private static readonly TimeSpan ReadinessTimeout = TimeSpan.FromSeconds(2);

    /// <summary>The routes, each declaring its access rule; the catch-all last.</summary>
    private static void MapFeatures(WebApplication app)
    {
        app.MapInfo();
        app.MapTrustAdmin();
        app.MapBlobs();
        app.MapChunks();
        app.MapUploads();
        app.MapDeltas();
        app.MapApplications();
        app.MapApplicationsAdmin();
        app.MapSigning();
        app.MapStatus();
        app.MapCollection();
        app.MapEnrolment();
        app.MapDashboard();
        app.MapUnmatchedRoutes();
    }
}
