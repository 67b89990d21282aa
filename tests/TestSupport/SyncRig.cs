using Aar.Protocol.Enrolment;
using Aar.Protocol.Management;
using Xunit;
using Xunit.Abstractions;

namespace TestSupport;

/// <summary>
/// A registry and AMS daemons on real sockets and real mutual TLS, enrolled the one-step way (join tokens), with
/// helpers to create, publish and sync applications.
/// </summary>
public sealed class SyncRig(ITestOutputHelper output, RegistryTestServer registry) : IAsyncDisposable
{
    private readonly List<AmsTestDaemon> _daemons = [];

    public RegistryTestServer Registry { get; } = registry;

    public static async Task<SyncRig> StartAsync(ITestOutputHelper output) => new(output, await RegistryTestServer.StartAsync(output));

    /// <summary>Starts an AMS and joins it to the registry as publisher (push) or client (pull).</summary>
    public async Task<AmsTestDaemon> JoinAsync(string role, string architecture = "amd64", TimeProvider? time = null, bool metrics = false)
    {
        var daemon = await AmsTestDaemon.StartAsync(output, architecture: architecture, time: time, metrics: metrics);
        _daemons.Add(daemon);
        using var client = daemon.Client();
        var joined = await client.JoinRegistryAsync(await TokenAsync(role));
        Assert.True(joined.Succeeded, joined.Problem?.Detail);
        await QuiesceAsync(client, joined.Value!.Mode);
        return daemon;
    }

    /// <summary>
    /// Waits until the passes a join starts by itself (each config change wakes the worker) are over, so a test's
    /// own passes are the ones that do the work it asserts on.
    /// </summary>
    public static async Task QuiesceAsync(ManagementClient client, string mode)
    {
        for (var quiet = 0; quiet < 3;)
        {
            var status = (await client.GetRegistryStatusAsync()).Value!;
            quiet = !status.Running && status.NextPassAt is not null && status.LastPass?.Mode == mode ? quiet + 1 : 0;
            await Task.Delay(30);
        }
    }

    public async Task<string> TokenAsync(string role)
    {
        using var admin = Registry.Admin();
        var created = await admin.CreateTokenAsync(new CreateTokenRequest { Role = role });
        Assert.True(created.Succeeded, created.Problem?.Detail);
        return created.Value!.Token;
    }

    /// <summary>Uploads a minimal package for <paramref name="name"/> (a new version each call) and optionally publishes it.</summary>
    public static async Task<int> CreateAsync(AmsTestDaemon daemon, string name, bool publish = true, string tags = "[game, demo]", string? extra = null)
    {
        var package = TestPackage.Minimal(name)
            .File("manifest.yaml", $"name: {name}\nversion: \"1.0\"\ninstance-type: a2.3\nboot-package: com.example.app\ntags: {tags}\n")
            .File("extra.bin", extra ?? Guid.NewGuid().ToString());
        var path = package.WriteZip(Path.Combine(daemon.Scratch, $"{name}-{Guid.NewGuid():N}.zip"));
        using var client = daemon.Client();
        var existing = await client.GetApplicationAsync(name);
        await using (var file = File.OpenRead(path))
        {
            using var content = new StreamContent(file);
            var started = await client.UploadPackageAsync(content, Path.GetFileName(path), existing.Succeeded ? name : null);
            Assert.True(started.Succeeded, started.Problem?.Detail);
            var done = await client.WaitOperationAsync(started.Value!.Id, TimeSpan.FromMinutes(2));
            Assert.True(done.Succeeded && done.Value!.Status == OperationInfo.Success, done.Problem?.Detail ?? done.Value?.Err);
        }

        var application = (await client.GetApplicationAsync(name)).Value!;
        var version = application.Versions[^1].Number;
        if (publish)
        {
            Assert.True((await client.SetPublishedAsync(name, version, true)).Succeeded);
        }

        return version;
    }

    /// <summary>
    /// A publisher straight on the registry API, without an AMS that validates packages first (the registry stores any
    /// blob): it can publish what a hostile or careless publisher would.
    /// </summary>
    public async Task<Aar.Protocol.Registry.RegistryClient> RawPublisherAsync(string commonName = "careless-publisher")
    {
        var certificate = TestCertificates.Client(commonName);
        await Registry.TrustAsync(certificate, Aar.Protocol.Registry.TrustRole.Publisher);
        _ = Aar.Protocol.Certificates.Fingerprint.TryParse(Registry.ServerFingerprint, out var pinned);
        return Aar.Protocol.Registry.RegistryClient.Create(Registry.Address, certificate, pinned);
    }

    public static async Task<SyncPassReport> SyncAsync(AmsTestDaemon daemon)
    {
        using var client = daemon.Client();
        var report = await client.SyncAsync(wait: true);
        Assert.True(report.Succeeded, report.Problem?.Detail);
        return report.Value!;
    }

    public static async Task<ApplicationInfo?> FindAsync(AmsTestDaemon daemon, string name)
    {
        using var client = daemon.Client();
        return (await client.GetApplicationAsync(name)).Value;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var daemon in _daemons)
        {
            await daemon.DisposeAsync();
        }

        await Registry.DisposeAsync();
    }
}
