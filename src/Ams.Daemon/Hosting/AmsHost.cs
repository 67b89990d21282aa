using Aar.Protocol.Certificates;
using Aar.Hosting;
using Ams.Daemon.Api;
using Ams.Daemon.Applications;
using Ams.Daemon.Config;
using Ams.Daemon.Data;
using Ams.Daemon.Metrics;
using Ams.Daemon.Operations;
using Ams.Daemon.Storage;
using Ams.Daemon.Sync;
using Ams.Daemon.Trust;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Aar.Protocol.Management;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Ams.Daemon.Hosting;

/// <summary>
/// The management service's composition root (the table of contents): validate options, open the data directory,
/// make or load the registry client certificate, add each feature, serve the local API on the unix socket, start.
/// </summary>
public sealed partial class AmsHost : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly DataDirectory _data;
    private readonly PrivateUnixSocket _socket;
    private readonly SyncOptions _sync;

    private AmsHost(WebApplication app, DataDirectory data, PrivateUnixSocket socket, SyncOptions sync, Uri? metricsAddress)
    {
        MetricsAddress = metricsAddress;
        _app = app;
        _data = data;
        _socket = socket;
        _sync = sync;
    }

    public string DataDirectory => _data.Root;

    public string SocketPath => _data.SocketPath;

    public string ClientCertificatePath => _data.ClientCertificatePath;

    /// <summary>
    /// Fingerprint of <c>registry/client.crt</c>, the identity this AMS presents to a registry (read from the file:
    /// <c>amc registry certificate renew</c> replaces it while the daemon runs).
    /// </summary>
    public string ClientFingerprint => ClientCertificate.CurrentFingerprint(_sync);

    public IServiceProvider Services => _app.Services;

    /// <summary>The plain-HTTP metrics and health address actually bound, or null without <c>--metrics-listen</c>.</summary>
    public Uri? MetricsAddress { get; }

    /// <summary>Starts the daemon; throws <see cref="StartupException"/> with one sentence when it cannot.</summary>
    public static async Task<AmsHost> StartAsync(AmsOptions options, Action<ILoggingBuilder>? logging = null, TimeProvider? time = null, CancellationToken cancellationToken = default)
    {
        var errors = AmsOptionsValidator.Validate(options);
        if (errors.Count > 0)
        {
            throw new StartupException(string.Join(Environment.NewLine, errors));
        }

        var logLevel = DaemonLogLevel.Parse(options.LogLevel);

        MetricsListener? metrics = null;
        if (options.MetricsListen is { } metricsAddress && !MetricsListener.TryParse(metricsAddress, out metrics, out var metricsError))
        {
            throw new StartupException(metricsError!);
        }

        var data = Hosting.DataDirectory.Open(options.DataDirectory);
        WebApplication? app = null;
        try
        {
            time ??= TimeProvider.System;
            // No configuration reload: it would watch the content root (the data directory) recursively with inotify,
            // and every write of a package or blob there (thousands per GiB) would wake a watcher thread for nothing.
            var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ContentRootPath = data.Root, Args = ["--hostBuilder:reloadConfigOnChange=false"] });
            SystemdService.Add(builder.Services);
            DaemonLogging.Configure(builder.Logging, options.LogFormat, logLevel, logging);
            var sync = new SyncOptions(data.ClientCertificatePath, data.ClientKeyPath, data.DownloadsDirectory);
            builder.Services.AddSingleton(time);
            builder.Services.AddDaemonMetrics(AmsMeter.Name)
                .AddCheck<DatabaseHealthCheck>("database", tags: [DaemonMetrics.ReadyTag], timeout: TimeSpan.FromSeconds(2));
            builder.Services.AddAmsDatabase(data.DatabasePath);
            builder.Services.AddTrust();
            builder.Services.AddConfig(new ConfigOptions(options.Architecture));
            builder.Services.AddStorage(new StorageOptions(data.PackagesDirectory, data.StagingDirectory));
            builder.Services.AddOperations();
            builder.Services.AddApplications(new ApplicationOptions(options.Architecture, options.MaxPackageBytes));
            builder.Services.AddSync(sync);
            // An exception that escapes a background service stops the host (rather than leaving a daemon that
            // answers amc but no longer syncs), and 'ams serve' then exits non-zero (Failure) so a supervisor restarts it.
            builder.Services.Configure<HostOptions>(host => host.BackgroundServiceExceptionBehavior = BackgroundServiceExceptionBehavior.StopHost);
            if (Environment.GetEnvironmentVariable(InjectedFault.Variable) == InjectedFault.Value)
            {
                builder.Services.AddHostedService<InjectedFault>();
            }

            using var startupLoggerFactory = LoggerFactory.Create(b => DaemonLogging.Configure(b, options.LogFormat, logLevel, logging));
            using var certificate = ClientCertificate.LoadOrCreate(sync, time, startupLoggerFactory.CreateLogger("Ams.Daemon.Registry"));
            var clientFingerprint = Fingerprint.Of(certificate).Hex;
            var socket = PrivateUnixSocket.Prepare(data.SocketPath);
            socket.PublishWhenStarted(builder.Services);
            ConfigureKestrel(builder.WebHost, socket, metrics);

            app = builder.Build();
            if (metrics is not null)
            {
                // First: the metrics listener's requests never reach the management API.
                app.UseMetricsListener();
            }

            app.UseExceptionHandler(new ExceptionHandlerOptions { ExceptionHandler = InternalError.WriteAsync });
            var status = new ServiceStatus
            {
                Architecture = options.Architecture,
                PackageSizeLimit = options.MaxPackageBytes,
                ClientFingerprint = clientFingerprint,
                ApiExtensions = ["zip_archive_support", "registry"],
            };
            app.MapService(() => status with { ClientFingerprint = ClientCertificate.CurrentFingerprint(sync) });
            app.MapConfig();
            app.MapTrust();
            app.MapApplications();
            app.MapOperations();
            app.MapRegistry();

            await PrepareStateAsync(app.Services, cancellationToken);
            await StartListeningAsync(app, metrics, cancellationToken);
            var metricsBound = metrics is null ? null : MetricsListener.FindBound(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses);
            var host = new AmsHost(app, data, socket, sync, metricsBound);
            var hostLogger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger<AmsHost>();
            Log.AmsListening(hostLogger, data.SocketPath, options.Architecture, clientFingerprint);
            // The host's own "Application is shutting down" line is filtered out (DaemonLogging).
            app.Lifetime.ApplicationStopping.Register(() => Log.AmsStopping(hostLogger));
            return host;
        }
        catch
        {
            // A start that fails after the build (a migration, a busy metrics port) still releases what the
            // application holds: the bound admin socket, database connections, the service provider.
            if (app is not null)
            {
                await app.DisposeAsync();
            }

            data.Dispose();
            throw;
        }
    }

    private static async Task PrepareStateAsync(IServiceProvider services, CancellationToken cancellationToken)
    {
        await services.GetRequiredService<AmsDatabase>().MigrateAsync(cancellationToken);
        await services.GetRequiredService<TrustStore>().LoadAsync(cancellationToken);
        await services.GetRequiredService<ConfigStore>().LoadAsync(cancellationToken);
        services.GetRequiredService<PackageStore>().CleanStaging();
        await services.GetRequiredService<ApplicationDatabase>().FailInterruptedAsync(
            "the daemon stopped while this version was being imported; delete the version and upload the package again", cancellationToken);
        await services.GetRequiredService<ApplicationCatalog>().ReconcilePackagesAsync(cancellationToken);
    }

    private static async Task StartListeningAsync(WebApplication app, MetricsListener? metrics, CancellationToken cancellationToken)
    {
        try
        {
            await app.StartAsync(cancellationToken);
        }
        catch (IOException ex) when (metrics is not null && ex.Message.Contains($"http://{metrics.EndPoint}", StringComparison.Ordinal))
        {
            // Kestrel names the address it failed to bind; the metrics listener is the only TCP one.
            throw new StartupException($"Cannot listen on {metrics.Address} for metrics ({ex.InnerException?.Message ?? ex.Message}); stop the other process or choose another address with --metrics-listen.", ex);
        }
    }

    private static void ConfigureKestrel(IWebHostBuilder webHost, PrivateUnixSocket socket, MetricsListener? metrics)
    {
        webHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            // JSON bodies are small; the package upload lifts this for its own request only.
            kestrel.Limits.MaxRequestBodySize = 1024 * 1024;
            socket.Listen(kestrel);
            metrics?.Listen(kestrel);
        });
    }

    /// <summary>Waits until SIGTERM/SIGINT (or <paramref name="cancellationToken"/>) and then stops gracefully.</summary>
    public async Task WaitForShutdownAsync(CancellationToken cancellationToken = default)
    {
        await _app.WaitForShutdownAsync(cancellationToken);
        await _app.Services.GetRequiredService<PackageUploads>().WaitForImportsAsync();
    }

    /// <summary>
    /// Why the daemon stopped, when it was not asked to: the exception that ended a background service (which stops
    /// the host, see <see cref="BackgroundServiceExceptionBehavior.StopHost"/>). Null after a requested stop.
    /// </summary>
    public Exception? Failure => _app.Services.GetServices<IHostedService>()
        .OfType<BackgroundService>()
        .Select(service => service.ExecuteTask)
        .FirstOrDefault(task => task is { IsFaulted: true })?.Exception?.GetBaseException();

    public async Task StopAsync(CancellationToken cancellationToken = default) => await _app.StopAsync(cancellationToken);

    public async ValueTask DisposeAsync()
    {
        // Stopping signals ApplicationStopping, which cancels running imports; wait for them before the database
        // and the data directory lock go away.
        await _app.StopAsync();
        await _app.Services.GetRequiredService<PackageUploads>().WaitForImportsAsync();
        await _app.DisposeAsync();
        _socket.Remove();
        _data.Dispose();
    }

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Information, Message = "AMS listening on {Socket} for architecture {Architecture}; registry client certificate fingerprint {Fingerprint}")]
        public static partial void AmsListening(ILogger logger, string socket, string architecture, string fingerprint);

        [LoggerMessage(Level = LogLevel.Information, Message = "AMS stopping: a running sync pass is interrupted and continues at the next start")]
        public static partial void AmsStopping(ILogger logger);
    }
}
