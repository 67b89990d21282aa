using Aar.Protocol.Management;
using Ams.Daemon.Hosting;
using Microsoft.Extensions.Logging;
using Xunit.Abstractions;

namespace TestSupport;

/// <summary>
/// A real management service for one test: <see cref="AmsHost"/> on its own data directory (real SQLite file, real
/// unix socket), logs in the test output. Restartable on the same data directory.
/// </summary>
public sealed class AmsTestDaemon : IAsyncDisposable
{
    private readonly XunitLoggerProvider _logs;
    private readonly TempDirectory _directory;
    private AmsHost? _host;
    private TimeProvider? _time;

    private AmsTestDaemon(ITestOutputHelper output, TempDirectory directory, AmsOptions options)
    {
        _logs = new XunitLoggerProvider(output);
        _directory = directory;
        Options = options;
    }

    public AmsOptions Options { get; }

    /// <summary>What the daemon logged at information and above, across restarts.</summary>
    public IReadOnlyCollection<(LogLevel Level, string Event, string Message)> Logged => _logs.Logged;

    public string DataDirectory => Options.DataDirectory;

    public AmsHost Host => _host ?? throw new InvalidOperationException("The daemon is stopped.");

    /// <summary>A scratch directory next to the data directory, for packages and certificates a test makes.</summary>
    public string Scratch => _directory.Combine("scratch");

    /// <summary><paramref name="metrics"/>: also serve <c>/metrics</c>, <c>/healthz</c> and <c>/readyz</c> on a free loopback port.</summary>
    public static async Task<AmsTestDaemon> StartAsync(ITestOutputHelper output, long? maxPackageBytes = null, string architecture = "amd64", TimeProvider? time = null, bool metrics = false)
    {
        var directory = new TempDirectory("ams");
        Directory.CreateDirectory(directory.Combine("scratch"));
        var options = new AmsOptions
        {
            DataDirectory = directory.Combine("data"),
            Architecture = architecture,
            MaxPackageBytes = maxPackageBytes ?? AmsOptions.DefaultMaxPackageBytes,
            MetricsListen = metrics ? "127.0.0.1:0" : null,
        };
        var daemon = new AmsTestDaemon(output, directory, options) { _time = time };
        await daemon.StartHostAsync();
        return daemon;
    }

    public ManagementClient Client() => ManagementClient.ForDataDirectory(DataDirectory);

    public async Task RestartAsync()
    {
        await StopAsync();
        await StartHostAsync();
    }

    public async Task StopAsync()
    {
        if (_host is not null)
        {
            await _host.DisposeAsync();
            _host = null;
        }
    }

    private async Task StartHostAsync() =>
        _host = await AmsHost.StartAsync(Options, logging => logging.AddProvider(_logs), _time);

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        _directory.Dispose();
    }
}
