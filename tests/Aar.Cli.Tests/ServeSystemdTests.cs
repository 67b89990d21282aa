using TestSupport;

namespace Aar.Cli.Tests;

/// <summary><c>aar serve</c> as a <c>Type=notify</c> systemd service (packaging/systemd/aar.service), without systemd.</summary>
public sealed class ServeSystemdTests
{
    [Fact]
    public async Task Under_systemd_it_reports_ready_once_the_admin_socket_exists_and_stopping_on_SIGTERM()
    {
        using var temp = new TempDirectory();
        var data = temp.Combine("data");
        using var notify = new SystemdNotifySocket(temp.Combine("notify"));
        using var server = ChildProcess.StartUnderSystemdParent(temp.Path, notify.Path, "aar", "serve", "--data-dir", data, "--listen", $"127.0.0.1:{AarProcess.FreePort()}");

        var ready = await notify.ReceiveAsync(TimeSpan.FromSeconds(30));
        // What a command run right after 'systemctl start aar' returns finds.
        var socketWhenReady = File.Exists(Path.Combine(data, "unix.socket"));
        var trustList = await AarProcess.RunAsync(null, "trust", "list", "--data-dir", data);
        server.Signal(AarProcess.SigTerm);
        var stopping = await notify.ReceiveAsync(TimeSpan.FromSeconds(30));
        var exit = await server.WaitForExitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal("READY=1", ready);
        Assert.True(socketWhenReady, "the admin socket exists when READY=1 arrives");
        Assert.Equal(0, trustList.ExitCode);
        Assert.Equal("STOPPING=1", stopping);
        Assert.Equal(0, exit);
        // The daemon's own formatter, not the systemd one AddSystemd would pick; and without JOURNAL_STREAM naming
        // stderr, no <6> priority prefixes (ServeLogTests has the journal's case).
        Assert.Contains("[RegistryListening] Registry listening on", server.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("<6>", server.Stderr, StringComparison.Ordinal);
    }
}
