using System.Globalization;
using System.Security.Cryptography;
using TestSupport;
using Xunit.Abstractions;

namespace Amc.Cli.Tests;

/// <summary>
/// <c>ams serve</c> as a real process against failures: a hostile registry never stops it or grows it, and a failure
/// that does stop it is an exit code a supervisor acts on.
/// </summary>
public sealed class AmsFailureProcessTests(ITestOutputHelper output)
{
    private const string Ready = "AMS listening on";

    [Fact]
    public async Task A_daemon_stopped_by_a_failure_exits_non_zero_with_the_reason()
    {
        using var temp = new TempDirectory("ams");
        var data = temp.Combine("data");
        using var daemon = ChildProcess.Start("ams", new Dictionary<string, string> { ["AMS_FAULT_INJECT"] = "background-service" }, "serve", "--data-dir", data);
        await daemon.WaitUntilReadyAsync(Path.Combine(data, "unix.socket"), Ready, TimeSpan.FromSeconds(30));

        var exit = await daemon.WaitForExitAsync(TimeSpan.FromSeconds(60));

        Assert.Equal(10, exit);
        Assert.Contains("ams serve: stopped on an unexpected failure (InvalidOperationException: fault injected by AMS_FAULT_INJECT=background-service)", daemon.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_hostile_registry_neither_stops_nor_grows_the_daemon_and_a_healthy_one_heals_it()
    {
        using var temp = new TempDirectory("ams");
        var data = temp.Combine("data");
        var package = TestPackage.Minimal("hostile").File("extra.bin", RandomNumberGenerator.GetBytes(256 * 1024)).WriteZip(temp.Combine("p.zip"));
        await using var registry = await HostileRegistry.StartAsync(output, "hostile", await File.ReadAllBytesAsync(package));
        registry.Mode = Misbehaviour.InfoNotJson;
        await File.WriteAllTextAsync(temp.Combine("server.crt"), registry.ServerCertificatePem);
        using var daemon = ChildProcess.Start("ams", "serve", "--data-dir", data);
        await daemon.WaitUntilReadyAsync(Path.Combine(data, "unix.socket"), Ready, TimeSpan.FromSeconds(30));
        Assert.Equal(0, (await Amc.RunAsync(data, ["config", "trust", "add", temp.Combine("server.crt")])).ExitCode);
        Assert.Equal(0, (await Amc.RunAsync(data, ["config", "set", "registry.fingerprint", registry.ServerFingerprint])).ExitCode);
        Assert.Equal(0, (await Amc.RunAsync(data, ["config", "set", "registry.url", registry.Address.ToString().TrimEnd('/')])).ExitCode);

        await Amc.RunAsync(data, ["registry", "sync", "--wait"]);
        await AssertStatusNamesAsync(data, "GET /1.0 answered 200 OK with a body that is not the JSON this API sends");

        registry.Mode = Misbehaviour.BlobOversized;
        await Amc.RunAsync(data, ["registry", "sync", "--wait"]);
        await AssertStatusNamesAsync(data, "kept sending after byte 1024");
        Assert.True(ResidentBytes(daemon.Id) < 200L * 1024 * 1024, $"ams resident set {ResidentBytes(daemon.Id)} bytes");
        Assert.Equal(["data", "p.zip", "server.crt"], Directory.EnumerateFileSystemEntries(temp.Path).Select(Path.GetFileName).Order(StringComparer.Ordinal));

        registry.Mode = Misbehaviour.None;
        await Amc.RunAsync(data, ["registry", "sync", "--wait"]);
        var show = await Amc.RunAsync(data, ["application", "show", "hostile"]);
        Assert.True(show.ExitCode == 0, show.Error);
        Assert.Contains("ready", show.Out, StringComparison.Ordinal);
    }

    /// <summary><c>amc registry status</c> answers within seconds and its last pass names the failure.</summary>
    private static async Task AssertStatusNamesAsync(string data, string expected)
    {
        var watch = System.Diagnostics.Stopwatch.StartNew();
        var status = await Amc.RunAsync(data, ["registry", "status"]);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(10), $"registry status took {watch.Elapsed}");
        Assert.Equal(0, status.ExitCode);
        Assert.Contains("result: failed", status.Out, StringComparison.Ordinal);
        Assert.Contains(expected, status.Out, StringComparison.Ordinal);
    }

    /// <summary>VmRSS of a live process; throws if it is gone (the daemon must still be running).</summary>
    private static long ResidentBytes(int pid)
    {
        var line = File.ReadLines($"/proc/{pid}/status").Single(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
        return long.Parse(line["VmRSS:".Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture) * 1024;
    }
}
