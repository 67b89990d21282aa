using TestSupport;

namespace Amc.Cli.Tests;

/// <summary><c>ams serve</c> as a <c>Type=notify</c> systemd service (packaging/systemd/ams.service), without systemd.</summary>
public sealed class AmsSystemdTests
{
    [Fact]
    public async Task Under_systemd_it_reports_ready_once_the_local_socket_exists_and_stopping_on_SIGTERM()
    {
        using var temp = new TempDirectory("ams");
        var data = temp.Combine("data");
        using var notify = new SystemdNotifySocket(temp.Combine("notify"));
        using var daemon = ChildProcess.StartUnderSystemdParent(temp.Path, notify.Path, "ams", "serve", "--data-dir", data);

        var ready = await notify.ReceiveAsync(TimeSpan.FromSeconds(30));
        // What a command run right after 'systemctl start ams' returns finds.
        var socketWhenReady = File.Exists(Path.Combine(data, "unix.socket"));
        var config = await Amc.RunAsync(data, ["config", "show"]);
        daemon.Signal(ChildProcess.SigTerm);
        var stopping = await notify.ReceiveAsync(TimeSpan.FromSeconds(30));
        var exit = await daemon.WaitForExitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal("READY=1", ready);
        Assert.True(socketWhenReady, "the local API socket exists when READY=1 arrives");
        Assert.Equal(0, config.ExitCode);
        Assert.Equal("STOPPING=1", stopping);
        Assert.Equal(0, exit);
    }
}
