namespace EndToEnd.Tests;

/// <summary>
/// A registry host: <c>aar serve</c> on 127.0.0.1 and a fixed port (kept across restarts, as a real address is), its
/// data directory, and a working directory standing for the operator's shell on that host, where AMS client
/// certificates are copied to.
/// </summary>
internal sealed class RegistryNode : IAsyncDisposable
{
    private const string Ready = "Registry listening on";
    private readonly List<string> _earlierLogs = [];
    private IReadOnlyList<string> _serveArguments;
    private IReadOnlyDictionary<string, string> _serveEnvironment;
    private DaemonProcess? _process;

    private RegistryNode(string root, int port, IReadOnlyList<string>? serveArguments = null, IReadOnlyDictionary<string, string>? serveEnvironment = null)
    {
        _serveArguments = serveArguments ?? [];
        _serveEnvironment = serveEnvironment ?? new Dictionary<string, string>();
        DataDirectory = Path.Combine(root, "data");
        Home = Path.Combine(root, "home");
        Directory.CreateDirectory(Home);
        Port = port;
        MetricsPort = Ports.Free();
    }

    public string DataDirectory { get; }

    /// <summary>The operator's working directory on the registry host.</summary>
    public string Home { get; }

    public int Port { get; }

    public string Url => $"https://127.0.0.1:{Port}";

    /// <summary>
    /// The port of <c>--metrics-listen</c> (plain HTTP: <c>/metrics</c>, <c>/healthz</c>, <c>/readyz</c>), kept across
    /// restarts like <see cref="Port"/>; a load balancer checks <c>/readyz</c> there.
    /// </summary>
    public int MetricsPort { get; }

    public string MetricsUrl => $"http://127.0.0.1:{MetricsPort}";

    /// <summary><c>&lt;data&gt;/certs/server.crt</c>, the seed's <c>/var/snap/aar/common/certs/server.crt</c>.</summary>
    public string ServerCertificate => Path.Combine(DataDirectory, "certs", "server.crt");

    public string UploadsDirectory => Path.Combine(DataDirectory, "uploads");

    /// <summary>The log of every run of <c>aar serve</c> so far, oldest first.</summary>
    public string Log => string.Join("", _earlierLogs.Append(_process?.Log ?? ""));

    /// <summary>The log of the current run only.</summary>
    public string CurrentLog => _process?.Log ?? "";

    /// <summary>Starts a registry on a free port, with more <c>aar serve</c> options when given.</summary>
    public static async Task<RegistryNode> StartAsync(string root, IReadOnlyList<string>? serveArguments = null)
    {
        var node = new RegistryNode(root, Ports.Free(), serveArguments);
        await node.StartAsync();
        return node;
    }

    /// <summary>
    /// A node of a scale-out registry: <c>aar serve</c> with <paramref name="serveArguments"/> (shared database and blob
    /// store) and <paramref name="serveEnvironment"/> (S3 credentials), serving <paramref name="serverCertificate"/> and
    /// its key, which every node of the registry shares so clients pin one fingerprint, with the signing key beside
    /// them (null: the node generates them, as the first node does; the operator then copies them to the others).
    /// </summary>
    public static async Task<RegistryNode> StartNodeAsync(string root, string? serverCertificate, string? serverKey, IReadOnlyList<string> serveArguments, IReadOnlyDictionary<string, string> serveEnvironment)
    {
        var node = new RegistryNode(root, Ports.Free(), serveArguments, serveEnvironment);
        if (serverCertificate is not null && serverKey is not null)
        {
            var certs = Path.Combine(node.DataDirectory, "certs");
            Directory.CreateDirectory(certs);
            File.Copy(serverCertificate, Path.Combine(certs, "server.crt"));
            File.Copy(serverKey, Path.Combine(certs, "server.key"));
            File.SetUnixFileMode(Path.Combine(certs, "server.key"), UnixFileMode.UserRead | UnixFileMode.UserWrite);
            // The signing key travels with the TLS pair (docs/scale-out.md): a node without it refuses to sign and
            // is not ready.
            var signingKey = Path.Combine(Path.GetDirectoryName(serverKey)!, "signing.key");
            if (File.Exists(signingKey))
            {
                File.Copy(signingKey, Path.Combine(certs, "signing.key"));
                File.SetUnixFileMode(Path.Combine(certs, "signing.key"), UnixFileMode.UserRead | UnixFileMode.UserWrite);
            }
        }

        await node.StartAsync();
        return node;
    }

    /// <summary>Starts <c>aar serve</c> on the same data directory and port (after a stop or a kill).</summary>
    public async Task StartAsync()
    {
        if (_process is not null)
        {
            _earlierLogs.Add(_process.Log);
            await _process.DisposeAsync();
        }

        _process = null;
        // At debug: tests follow upload sessions by their per-request lines (UploadStarted, UploadResumed).
        _process = await DaemonProcess.StartAsync("aar", ["serve", "--data-dir", DataDirectory, "--listen", $"127.0.0.1:{Port}", "--metrics-listen", $"127.0.0.1:{MetricsPort}", "--log-level", "debug", .. _serveArguments], Path.Combine(DataDirectory, "unix.socket"), Ready, _serveEnvironment);
    }

    /// <summary>Stops <c>aar serve</c> and starts it again on the same data directory and port with other options.</summary>
    public async Task RestartWithAsync(IReadOnlyList<string> serveArguments, IReadOnlyDictionary<string, string> serveEnvironment)
    {
        await StopAsync(TimeSpan.FromSeconds(15));
        (_serveArguments, _serveEnvironment) = (serveArguments, serveEnvironment);
        await StartAsync();
    }

    /// <summary>Runs <c>aar <paramref name="args"/></c> on this host with extra environment variables (e.g. S3 keys).</summary>
    public Task<CliResult> AarWithAsync(IReadOnlyDictionary<string, string> environment, params string[] args) =>
        Cli.RunAsync("aar", args, new Dictionary<string, string>(Environment().Concat(environment)), Home);

    public Task KillAsync() => _process!.KillAsync();

    /// <summary>SIGTERM; the exit code, or null if it did not exit within <paramref name="patience"/>.</summary>
    public Task<int?> StopAsync(TimeSpan patience) => _process!.StopAsync(patience);

    /// <summary>Runs <c>aar <paramref name="args"/></c> on this host (AAR_DATA_DIR set, working directory <see cref="Home"/>).</summary>
    public Task<CliResult> AarAsync(params string[] args) => Cli.RunAsync("aar", args, Environment(), Home);

    /// <summary><c>cat <paramref name="file"/> | aar <paramref name="args"/></c>.</summary>
    public async Task<CliResult> PipeAsync(string file, params string[] args) =>
        await AnswerAsync(await File.ReadAllTextAsync(Path.Combine(Home, file)), args);

    /// <summary>Runs <c>aar <paramref name="args"/></c> with <paramref name="stdin"/> typed on its standard input.</summary>
    public Task<CliResult> AnswerAsync(string stdin, params string[] args) => Cli.RunAsync("aar", args, Environment(), Home, stdin);

    public async ValueTask DisposeAsync()
    {
        if (_process is not null)
        {
            await _process.DisposeAsync();
        }
    }

    private Dictionary<string, string> Environment() => new() { ["AAR_DATA_DIR"] = DataDirectory };
}
