using System.Security.Cryptography.X509Certificates;
using Aar.Protocol.Admin;
using Aar.Protocol.Registry;
using Aar.Server.Hosting;
using Microsoft.Extensions.Logging;
using Xunit;
using Xunit.Abstractions;

namespace TestSupport;

/// <summary>
/// A real registry for one test: <see cref="RegistryHost"/> on real Kestrel, 127.0.0.1 with a free port, mutual TLS,
/// its own data directory and database (the SQLite file, or a fresh PostgreSQL database when <c>AAR_TEST_DATABASE</c>
/// is set; see <see cref="TestDatabase"/>), logs in the test output. Restartable on the same data directory and database.
/// With <c>AAR_TEST_S3_ENDPOINT</c> (+ <c>AAR_TEST_S3_ACCESS_KEY</c>/<c>AAR_TEST_S3_SECRET_KEY</c>) set, blobs live in
/// S3 instead (<c>scripts/ci/ceph-s3.sh start</c>): one shared bucket, a fresh random prefix per server, kept across
/// restarts, so tests stay isolated without creating a bucket each.
/// </summary>
public sealed class RegistryTestServer : IAsyncDisposable
{
    private readonly ITestOutputHelper _output;
    private readonly TempDirectory? _ownedDirectory;
    private readonly TimeProvider? _time;
    private readonly Func<ServeOptions, ServeOptions>? _configure;
    private readonly string _s3Prefix = $"t-{Guid.NewGuid():n}/";
    private RegistryHost? _host;
    private int _port;
    private bool _ownsDatabase;

    private RegistryTestServer(ITestOutputHelper output, string dataDirectory, TestDatabase database, TempDirectory? ownedDirectory, TimeProvider? time, Func<ServeOptions, ServeOptions>? configure)
    {
        _output = output;
        DataDirectory = dataDirectory;
        Database = database;
        _ownedDirectory = ownedDirectory;
        _time = time;
        _configure = configure;
    }

    public string DataDirectory { get; }

    /// <summary>The metadata database; <see cref="TestDatabase.OpenAsync"/> writes states the API cannot produce.</summary>
    public TestDatabase Database { get; }

    /// <summary>The options the server was last started with (S3 settings included when the run uses S3).</summary>
    public ServeOptions Options { get; private set; } = null!;

    public RegistryHost Host => _host ?? throw new InvalidOperationException("The registry is stopped.");

    public Uri Address => Host.Address;

    public string ServerFingerprint => Host.ServerFingerprint;

    /// <summary>
    /// <paramref name="configure"/> changes the server options (e.g. a small maximum blob size) before start.
    /// <paramref name="database"/> is a database shared with other servers (registry nodes), disposed by the caller;
    /// by default the server gets a new one of its own.
    /// </summary>
    public static async Task<RegistryTestServer> StartAsync(ITestOutputHelper output, string? dataDirectory = null, TimeProvider? time = null, Func<ServeOptions, ServeOptions>? configure = null, TestDatabase? database = null)
    {
        var owned = dataDirectory is null ? new TempDirectory("aar") : null;
        dataDirectory ??= owned!.Combine("data");
        var server = new RegistryTestServer(output, dataDirectory, database ?? await TestDatabase.CreateAsync(dataDirectory), owned, time, configure)
        {
            _ownsDatabase = database is null,
        };
        try
        {
            await server.StartHostAsync();
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }

        return server;
    }

    /// <summary>Stops the server and starts a new one on the same data directory (a new port).</summary>
    public async Task RestartAsync(bool keepPort = false)
    {
        var listen = keepPort ? $"127.0.0.1:{_port}" : "127.0.0.1:0";
        await StopAsync();
        await StartHostAsync(listen);
    }

    /// <summary>Stops the server gracefully; the data directory stays for a restart.</summary>
    public async Task StopAsync()
    {
        if (_host is not null)
        {
            await _host.DisposeAsync();
            _host = null;
        }
    }

    public AdminClient Admin() => AdminClient.ForDataDirectory(DataDirectory);

    public MtlsClient Client(X509Certificate2 certificate, Version? httpVersion = null) =>
        new(Address, ServerFingerprint, certificate, httpVersion);

    /// <summary>Trusts <paramref name="certificate"/> through the admin API, as <c>aar trust add</c> does.</summary>
    public async Task TrustAsync(X509Certificate2 certificate, TrustRole role = TrustRole.Client)
    {
        using var admin = Admin();
        var result = await admin.AddAsync(new AddTrustRequest { Certificate = TestCertificates.Pem(certificate), Role = role.ToWire() });
        Assert.True(result.Succeeded, result.Problem?.Detail);
    }

    private async Task StartHostAsync(string listen = "127.0.0.1:0")
    {
        var options = new ServeOptions { DataDirectory = DataDirectory, Listen = listen, Database = Database.ConnectionString };
        if (TestS3.Options(_s3Prefix) is { } s3)
        {
            options = options with { BlobStore = "s3", S3 = s3 };
        }

        options = _configure?.Invoke(options) ?? options;
        Options = options;
        _host = await RegistryHost.StartAsync(options, logging => logging.AddProvider(new XunitLoggerProvider(_output)), _time);
        _port = _host.Address.Port;
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        if (_ownsDatabase)
        {
            await Database.DisposeAsync();
        }

        _ownedDirectory?.Dispose();
    }
}
