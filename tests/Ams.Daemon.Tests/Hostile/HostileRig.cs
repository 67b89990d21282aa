using System.Diagnostics;
using System.Security.Cryptography;
using Aar.Protocol.Management;
using TestSupport;
using Xunit.Abstractions;

namespace Ams.Daemon.Tests.Hostile;

/// <summary>A real AMS pulling from a <see cref="HostileRegistry"/>, configured by hand as an operator would.</summary>
internal sealed class HostileRig : IAsyncDisposable
{
    private HostileRig(HostileRegistry registry, AmsTestDaemon daemon)
    {
        Registry = registry;
        Daemon = daemon;
    }

    public HostileRegistry Registry { get; }

    public AmsTestDaemon Daemon { get; }

    /// <summary>What the daemon's temp root held before the test: the data directory and scratch only.</summary>
    private string[] Before { get; set; } = [];

    /// <summary>
    /// Starts both, trusts the fake's certificate and points the AMS at it (<paramref name="config"/> first, so the
    /// passes that follow each change already use it). The package is over 64 KiB so a transfer can stall mid-way.
    /// </summary>
    public static async Task<HostileRig> StartAsync(ITestOutputHelper output, Misbehaviour mode, long? maxPackageBytes = null, params (string Key, string Value)[] config)
    {
        var package = TestPackage.Minimal("hostile").File("extra.bin", RandomNumberGenerator.GetBytes(256 * 1024));
        var daemon = await AmsTestDaemon.StartAsync(output, maxPackageBytes);
        var path = package.WriteZip(Path.Combine(daemon.Scratch, "hostile.zip"));
        var registry = await HostileRegistry.StartAsync(output, "hostile", await File.ReadAllBytesAsync(path));
        File.Delete(path);
        registry.Mode = mode;
        var rig = new HostileRig(registry, daemon) { Before = Siblings(daemon) };
        using var client = daemon.Client();
        Assert.True((await client.AddTrustAsync(registry.ServerCertificatePem)).Succeeded);
        foreach (var (key, value) in config.Append(("registry.fingerprint", registry.ServerFingerprint)).Append(("registry.url", registry.Address.ToString().TrimEnd('/'))))
        {
            var set = await client.SetConfigAsync(key, value);
            Assert.True(set.Succeeded, set.Problem?.Detail);
        }

        return rig;
    }

    /// <summary>Runs a pass and returns its report (the daemon answers within the pass's own bounds).</summary>
    public async Task<SyncPassReport> SyncAsync()
    {
        using var client = Daemon.Client();
        var report = await client.SyncAsync(wait: true);
        Assert.True(report.Succeeded, report.Problem?.Detail);
        return report.Value!;
    }

    /// <summary><c>amc registry status</c>'s call: must answer within seconds whatever the registry does.</summary>
    public async Task<RegistryStatus> StatusAsync()
    {
        using var client = Daemon.Client();
        var watch = Stopwatch.StartNew();
        var status = await client.GetRegistryStatusAsync();
        Assert.True(status.Succeeded, status.Problem?.Detail);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(10), $"registry status took {watch.Elapsed}");
        return status.Value!;
    }

    /// <summary>
    /// The checks every scenario ends with: the failure is named in the status, the managed heap stayed bounded,
    /// nothing appeared beside the data directory, and once the registry behaves a pass imports the application.
    /// </summary>
    public async Task AssertFailedThenRecoversAsync(SyncPassReport failed, string expected)
    {
        Assert.Equal("failed", failed.Result);
        Assert.Contains(failed.Errors, e => e.Contains(expected, StringComparison.Ordinal));
        var status = await StatusAsync();
        Assert.Equal(failed.Number, status.LastPass!.Number);
        Assert.Contains(status.LastPass.Errors, e => e.Contains(expected, StringComparison.Ordinal));
        Assert.True(GC.GetTotalMemory(forceFullCollection: true) < 200L * 1024 * 1024, $"managed heap {GC.GetTotalMemory(false)} bytes");
        Assert.Equal(Before, Siblings(Daemon));

        Registry.Mode = Misbehaviour.None;
        // The worker's backoff pass may get there first (it retries 10 s after a failure): either way the next
        // pass ends well and the application is imported.
        var healed = await SyncAsync();
        Assert.True(healed.Result is "ok" or "unchanged", string.Join(" | ", healed.Errors));
        using var client = Daemon.Client();
        var imported = await client.GetApplicationAsync(Registry.Name);
        Assert.True(imported.Succeeded, imported.Problem?.Detail);
        Assert.Equal(Registry.Digest, "sha256:" + imported.Value!.Versions.Single().Sha256);
    }

    private static string[] Siblings(AmsTestDaemon daemon) =>
        [.. Directory.EnumerateFileSystemEntries(Path.GetDirectoryName(daemon.DataDirectory)!).Select(Path.GetFileName).Order(StringComparer.Ordinal)!];

    public async ValueTask DisposeAsync()
    {
        await Daemon.DisposeAsync();
        await Registry.DisposeAsync();
    }
}
