using System.Text.Json;
using Aar.Cli.Common;
using Aar.Protocol.Management;

namespace EndToEnd.Tests;

/// <summary>
/// An AMS host: <c>ams serve</c> with its data directory and architecture, and a working directory standing for the
/// operator's shell there (where the registry's server.crt is copied to and packages are built).
/// </summary>
internal sealed class AmsNode : IAsyncDisposable
{
    private const string Ready = "AMS listening on";
    private readonly List<string> _earlierLogs = [];
    private DaemonProcess? _process;

    private AmsNode(string name, string root, string architecture, int? metricsPort)
    {
        MetricsUrl = metricsPort is { } port ? new Uri($"http://127.0.0.1:{port}") : null;
        Name = name;
        DataDirectory = Path.Combine(root, "data");
        Home = Path.Combine(root, "home");
        Directory.CreateDirectory(Home);
        Architecture = architecture;
    }

    public string Name { get; }

    public string DataDirectory { get; }

    /// <summary>The operator's working directory on the AMS host.</summary>
    public string Home { get; }

    public string Architecture { get; }

    /// <summary>The plain-HTTP metrics and health address (<c>--metrics-listen</c>), or null when the node has none.</summary>
    public Uri? MetricsUrl { get; }

    /// <summary><c>&lt;data&gt;/registry/client.crt</c>, the seed's <c>/var/snap/ams/common/registry/client.crt</c>.</summary>
    public string ClientCertificate => Path.Combine(DataDirectory, "registry", "client.crt");

    public string DownloadsDirectory => Path.Combine(DataDirectory, "registry", "downloads");

    public string Log => string.Join("", _earlierLogs.Append(_process?.Log ?? ""));

    /// <summary>Starts <c>ams serve</c>; with <paramref name="withMetrics"/>, its metrics listener on a free port.</summary>
    public static async Task<AmsNode> StartAsync(string name, string root, string architecture, bool withMetrics = false)
    {
        var node = new AmsNode(name, root, architecture, withMetrics ? Ports.Free() : null);
        await node.StartAsync();
        return node;
    }

    /// <summary>Starts <c>ams serve</c> on the same data directory (after a stop or a kill).</summary>
    public async Task StartAsync()
    {
        if (_process is not null)
        {
            _earlierLogs.Add(_process.Log);
            await _process.DisposeAsync();
        }

        _process = null;
        string[] metrics = MetricsUrl is { } url ? ["--metrics-listen", $"127.0.0.1:{url.Port}"] : [];
        // At debug: a test that checks no pass ran must also see the passes that moved nothing (SyncPassFinished).
        _process = await DaemonProcess.StartAsync("ams", ["serve", "--data-dir", DataDirectory, "--architecture", Architecture, "--log-level", "debug", .. metrics], Path.Combine(DataDirectory, "unix.socket"), Ready);
    }

    public Task KillAsync() => _process!.KillAsync();

    /// <summary>SIGTERM; the exit code, or null if it did not exit within <paramref name="patience"/>.</summary>
    public Task<int?> StopAsync(TimeSpan patience) => _process!.StopAsync(patience);

    /// <summary>Runs <c>amc <paramref name="args"/></c> on this host (AMS_DATA_DIR set, working directory <see cref="Home"/>).</summary>
    public Task<CliResult> AmcAsync(params string[] args) =>
        Cli.RunAsync("amc", args, new Dictionary<string, string> { ["AMS_DATA_DIR"] = DataDirectory }, Home, timeout: TimeSpan.FromMinutes(3));

    /// <summary><c>amc application show &lt;app&gt; --format json</c>, or null when the AMS has no such application (exit 4).</summary>
    public async Task<ApplicationInfo?> ShowAsync(string application)
    {
        var show = await AmcAsync("application", "show", application, "--format", "json");
        if (show.ExitCode == ExitCodes.NotFound)
        {
            return null;
        }

        Assert.True(show.ExitCode == 0, show.ToString());
        return JsonSerializer.Deserialize(show.Out, ManagementJsonContext.Default.ApplicationInfo)!;
    }

    /// <summary><c>amc registry status --format json</c>.</summary>
    public async Task<RegistryStatus> StatusAsync()
    {
        var status = await AmcAsync("registry", "status", "--format", "json");
        Assert.True(status.ExitCode == 0, status.ToString());
        return JsonSerializer.Deserialize(status.Out, ManagementJsonContext.Default.RegistryStatus)!;
    }

    /// <summary><c>amc registry sync --wait --format json</c>: the command's result and the pass report it printed.</summary>
    public async Task<(CliResult Result, SyncPassReport Report)> SyncAsync()
    {
        var sync = await AmcAsync("registry", "sync", "--wait", "--format", "json");
        Assert.True(sync.ExitCode is 0 or ExitCodes.Conflict, sync.ToString());
        return (sync, JsonSerializer.Deserialize(sync.Out, ManagementJsonContext.Default.SyncPassReport)!);
    }

    /// <summary>A sync pass that must succeed: exit 0 and result ok (or unchanged).</summary>
    public async Task<SyncPassReport> SyncOkAsync()
    {
        var (result, report) = await SyncAsync();
        Assert.True(result.ExitCode == 0 && report.Result is "ok" or "unchanged", result.ToString());
        return report;
    }

    /// <summary><c>amc application create &lt;package&gt;</c> then <c>amc application publish &lt;app&gt; 0</c>.</summary>
    public async Task<ApplicationInfo> CreateAndPublishAsync(string application, string package)
    {
        var create = await AmcAsync("application", "create", package);
        Assert.True(create.ExitCode == 0, create.ToString());
        var publish = await AmcAsync("application", "publish", application, "0");
        Assert.True(publish.ExitCode == 0, publish.ToString());
        return (await ShowAsync(application))!;
    }

    public async ValueTask DisposeAsync()
    {
        if (_process is not null)
        {
            await _process.DisposeAsync();
        }
    }
}
