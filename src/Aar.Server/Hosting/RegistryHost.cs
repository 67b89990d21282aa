using Aar.Protocol;
using Aar.Protocol.Certificates;
using Aar.Hosting;
using Aar.Server.Data;
using Aar.Server.Enrolment;
using Aar.Server.Metrics;
using Aar.Server.Problems;
using Aar.Server.Signing;
using Aar.Server.Storage;
using Aar.Server.Tls;
using Aar.Server.Trust;
using Aar.Server.Uploads;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Aar.Server.Hosting;

/// <summary>
/// The registry server's composition root (the table of contents): validate options, open the data directory,
/// configure Kestrel (mTLS on <c>--listen</c>, admin API on the unix socket), add and map each feature, start.
/// </summary>
public sealed partial class RegistryHost : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly DataDirectory _data;
    private readonly PrivateUnixSocket _socket;

    private RegistryHost(WebApplication app, DataDirectory data, PrivateUnixSocket socket, Uri address, string serverFingerprint, Uri? metricsAddress)
    {
        MetricsAddress = metricsAddress;
        _app = app;
        _data = data;
        _socket = socket;
        Address = address;
        ServerFingerprint = serverFingerprint;
    }

    /// <summary>The HTTPS address actually bound (the real port when <c>--listen</c> asked for port 0).</summary>
    public Uri Address { get; }

    public string ServerFingerprint { get; }

    /// <summary>The plain-HTTP metrics and health address actually bound, or null without <c>--metrics-listen</c>.</summary>
    public Uri? MetricsAddress { get; }

    public string DataDirectory => _data.Root;

    public string SocketPath => _data.SocketPath;

    public string ServerCertificatePath => _data.ServerCertificatePath;

    public IServiceProvider Services => _app.Services;

    /// <summary>Starts the server; throws <see cref="StartupException"/> with one sentence when it cannot.</summary>
    public static async Task<RegistryHost> StartAsync(ServeOptions options, Action<ILoggingBuilder>? logging = null, TimeProvider? time = null, CancellationToken cancellationToken = default)
    {
        var errors = ServeOptionsValidator.Validate(options);
        if (errors.Count > 0)
        {
            throw new StartupException(string.Join(Environment.NewLine, errors));
        }

        var logLevel = DaemonLogLevel.Parse(options.LogLevel);

        if (!ListenAddress.TryParse(options.Listen, out var endPoint, out var listenError))
        {
            throw new StartupException(listenError!);
        }

        MetricsListener? metrics = null;
        if (options.MetricsListen is { } metricsAddress && !MetricsListener.TryParse(metricsAddress, out metrics, out var metricsError))
        {
            throw new StartupException(metricsError!);
        }

        var data = Hosting.DataDirectory.Open(options.DataDirectory);
        WebApplication? app = null;
        try
        {
            // No configuration reload: it would watch the content root (the data directory) recursively with inotify,
            // and every write of a package or blob there (thousands per GiB) would wake a watcher thread for nothing.
            var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ContentRootPath = data.Root, Args = ["--hostBuilder:reloadConfigOnChange=false"] });
            SystemdService.Add(builder.Services);
            DaemonLogging.Configure(builder.Logging, options.LogFormat, logLevel, logging);
            time ??= TimeProvider.System;
            builder.Services.AddSingleton(time);
            // Request bodies bind with the same source-generated contracts and snake_case names the clients send.
            builder.Services.ConfigureHttpJsonOptions(json =>
            {
                json.SerializerOptions.TypeInfoResolverChain.Insert(0, ProtocolJsonContext.Default);
                json.SerializerOptions.PropertyNamingPolicy = System.Text.Json.JsonNamingPolicy.SnakeCaseLower;
            });
            var transport = new TransportBytes();
            AddFeatures(builder.Services, options, data, transport);

            using var startupLoggerFactory = LoggerFactory.Create(b => DaemonLogging.Configure(b, options.LogFormat, logLevel, logging));
            var tls = new TlsOptions { CertificatePath = data.ServerCertificatePath, KeyPath = data.ServerKeyPath, ExtraSubjectAlternativeNames = options.ExtraSubjectAlternativeNames };
            var certificate = ServerCertificateProvider.LoadOrCreate(tls, time, startupLoggerFactory.CreateLogger("Aar.Server.Tls"));
            builder.Services.AddTls(certificate);
            // The admin socket is bound in a private directory and moved into place once it is 0660.
            var socket = PrivateUnixSocket.Prepare(data.SocketPath);
            socket.PublishWhenStarted(builder.Services);
            ConfigureKestrel(builder.WebHost, endPoint!, socket, certificate, options, metrics, transport);

            app = builder.Build();
            if (metrics is not null)
            {
                // First: the metrics listener's requests never reach the registry's routes, problems or trust gate.
                app.UseMetricsListener();
            }

            app.UseRequestMetrics();
            // A blob-store failure is logged once by the exception handler, with the trace id its problem quotes.
            app.UseInternalErrorProblems();
            app.UseStatusCodePages(context => ProblemResponses.WriteBodylessErrorAsync(context.HttpContext));
            // The gate decides from the matched endpoint's declared access rule, so routing must run first.
            app.UseRouting();
            app.UseTrustGate();
            // After the gate (a revoked certificate is refused before it counts); per endpoint: only enrolment is limited.
            app.UseRateLimiter();
            MapFeatures(app);

            var registryDatabase = app.Services.GetRequiredService<RegistryDatabase>();
            PostgresTransportWarning.WarnIfUnverified(registryDatabase, app.Services.GetRequiredService<ILoggerFactory>().CreateLogger<RegistryHost>());
            await registryDatabase.MigrateAsync(cancellationToken);
            await StorageServiceCollectionExtensions.CheckStorageAsync(app.Services, cancellationToken);
            await RunAgainstDatabaseAsync(registryDatabase, async () =>
            {
                await app.Services.GetRequiredService<TrustStore>().LoadAsync(cancellationToken);
                await UploadServiceCollectionExtensions.CleanUpAfterCrashAsync(app.Services, cancellationToken);
                await SigningServiceCollectionExtensions.InitialiseSigningAsync(app.Services, cancellationToken);
            });
            await StartListeningAsync(app, options, metrics, cancellationToken);
            if (registryDatabase.IsShared && !await app.Services.GetRequiredService<TrustStore>().WaitUntilFollowingAsync(TimeSpan.FromSeconds(5), cancellationToken))
            {
                Log.TrustListenerNotStarted(app.Services.GetRequiredService<ILoggerFactory>().CreateLogger<RegistryHost>(), registryDatabase.Description);
            }

            var addresses = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses;
            var bound = addresses.Select(a => new Uri(a)).First(a => a.Scheme == Uri.UriSchemeHttps);
            app.Services.GetRequiredService<AdvertisedAddresses>().SetFromBoundAddress(bound);
            var host = new RegistryHost(app, data, socket, bound, Fingerprint.Of(certificate).Hex, metrics is null ? null : MetricsListener.FindBound(addresses));
            var hostLogger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger<RegistryHost>();
            Log.RegistryListening(hostLogger, host.Address.ToString(), host.ServerFingerprint, host.SocketPath);
            // The host's own "Application is shutting down" line is filtered out (DaemonLogging); an operator still
            // sees when and why the registry went away.
            app.Lifetime.ApplicationStopping.Register(() => Log.RegistryStopping(hostLogger));
            return host;
        }
        catch
        {
            if (app is not null)
            {
                await app.DisposeAsync();
            }

            data.Dispose();
            throw;
        }
    }

    /// <summary>The database went away between the migration and the first reads: still one sentence, not a stack trace.</summary>
    private static async Task RunAgainstDatabaseAsync(RegistryDatabase database, Func<Task> work)
    {
        try
        {
            await work();
        }
        catch (Exception ex) when (database.Classify(ex) != DatabaseFault.None)
        {
            throw new StartupException($"The registry database {database.Description} became unavailable while starting ({ex.Message.TrimEnd('.')}); check that it is running and start again.", ex);
        }
    }

    /// <summary>Waits until SIGTERM/SIGINT (or <paramref name="cancellationToken"/>) and then stops gracefully.</summary>
    public async Task WaitForShutdownAsync(CancellationToken cancellationToken = default) =>
        await _app.WaitForShutdownAsync(cancellationToken);

    public async Task StopAsync(CancellationToken cancellationToken = default) => await _app.StopAsync(cancellationToken);

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Information, Message = "Registry listening on {Address} with server fingerprint {Fingerprint}; admin socket {Socket}")]
        public static partial void RegistryListening(ILogger logger, string address, string fingerprint, string socket);

        [LoggerMessage(Level = LogLevel.Information, Message = "Registry stopping: requests in flight finish, new ones are refused")]
        public static partial void RegistryStopping(ILogger logger);

        [LoggerMessage(Level = LogLevel.Warning, Message = "Not yet listening for trust changes on {Database}; every request reloads the trust store until then")]
        public static partial void TrustListenerNotStarted(ILogger logger, string database);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.DisposeAsync();
        _socket.Remove();
        _data.Dispose();
    }
}
