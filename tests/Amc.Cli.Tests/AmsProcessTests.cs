using Aar.Cli.Common;
using TestSupport;

namespace Amc.Cli.Tests;

/// <summary><c>ams serve</c> as a real process: SIGTERM stops it cleanly, kill -9 loses nothing committed.</summary>
public sealed class AmsProcessTests
{
    private const string Ready = "AMS listening on";

    [Fact]
    public async Task Sigterm_stops_the_daemon_cleanly_and_a_restart_keeps_applications_and_config()
    {
        using var temp = new TempDirectory("ams");
        var data = temp.Combine("data");
        var socket = Path.Combine(data, "unix.socket");
        using (var daemon = ChildProcess.Start("ams", "serve", "--data-dir", data))
        {
            await daemon.WaitUntilReadyAsync(socket, Ready, TimeSpan.FromSeconds(30));
            var create = await Amc.RunAsync(data, ["application", "create", TestPackage.Minimal().WriteZip(temp.Combine("p.zip"))]);
            var set = await Amc.RunAsync(data, ["config", "set", "registry.update_interval", "5m"]);
            Assert.Equal((0, 0), (create.ExitCode, set.ExitCode));

            daemon.Signal(ChildProcess.SigTerm);
            Assert.Equal(0, await daemon.WaitForExitAsync(TimeSpan.FromSeconds(30)));
            Assert.DoesNotContain("Exception", daemon.Stderr, StringComparison.Ordinal);
            Assert.False(File.Exists(socket), "the socket is removed on a clean shutdown");
        }

        using var again = ChildProcess.Start("ams", "serve", "--data-dir", data);
        await again.WaitUntilReadyAsync(socket, Ready, TimeSpan.FromSeconds(30));
        var show = await Amc.RunAsync(data, ["application", "show", "hello", "--format", "json"]);
        var config = await Amc.RunAsync(data, ["config", "show"]);
        Assert.Equal(0, show.ExitCode);
        Assert.Contains("registry.update_interval: 5m", config.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task After_kill_9_amc_explains_the_stale_socket_and_a_restart_recovers()
    {
        using var temp = new TempDirectory("ams");
        var data = temp.Combine("data");
        var socket = Path.Combine(data, "unix.socket");
        using (var daemon = ChildProcess.Start("ams", "serve", "--data-dir", data))
        {
            await daemon.WaitUntilReadyAsync(socket, Ready, TimeSpan.FromSeconds(30));
            Assert.Equal(0, (await Amc.RunAsync(data, ["application", "create", TestPackage.Minimal().WriteZip(temp.Combine("p.zip"))])).ExitCode);
            daemon.Signal(ChildProcess.SigKill);
            await daemon.WaitForExitAsync(TimeSpan.FromSeconds(30));
        }

        var stale = await Amc.RunAsync(data, ["application", "list"]);
        Assert.Equal(ExitCodes.Unreachable, stale.ExitCode);
        Assert.Contains("(a stale socket from a stopped daemon). Start it with 'ams serve'", stale.Error, StringComparison.Ordinal);

        using var again = ChildProcess.Start("ams", "serve", "--data-dir", data);
        await again.WaitUntilReadyAsync(socket, Ready, TimeSpan.FromSeconds(30));
        Assert.Contains("hello", (await Amc.RunAsync(data, ["application", "list"])).Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_second_daemon_on_the_same_directory_exits_1_with_one_sentence()
    {
        using var temp = new TempDirectory("ams");
        var data = temp.Combine("data");
        using var first = ChildProcess.Start("ams", "serve", "--data-dir", data);
        await first.WaitUntilReadyAsync(Path.Combine(data, "unix.socket"), Ready, TimeSpan.FromSeconds(30));

        using var second = ChildProcess.Start("ams", "serve", "--data-dir", data);
        var exit = await second.WaitForExitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(1, exit);
        Assert.Equal($"ams serve: Another 'ams serve' is already using the data directory {data}; stop it first or choose another directory with --data-dir.", second.Stderr.Trim());
    }
}
