using System.Text.RegularExpressions;
using TestSupport;

namespace Amc.Cli.Tests;

/// <summary><c>ams serve</c> as a <c>Type=notify</c> systemd service (packaging/systemd/ams.service), without systemd.</summary>
public sealed partial class AmsSystemdTests
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
        // Without JOURNAL_STREAM naming its stderr: plain lines, each naming its event.
        Assert.Contains("info: Ams.Daemon.Hosting.AmsHost[AmsListening] AMS listening on", daemon.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("<6>", daemon.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Under_the_journal_every_line_starts_with_its_syslog_priority()
    {
        using var temp = new TempDirectory("ams");
        var data = temp.Combine("data");
        using var notify = new SystemdNotifySocket(temp.Combine("notify"));
        using var daemon = ChildProcess.StartUnderSystemdJournal(temp.Path, notify.Path, "ams", "serve", "--data-dir", data);

        var ready = await notify.ReceiveAsync(TimeSpan.FromSeconds(30));
        daemon.Signal(ChildProcess.SigTerm);
        var exit = await daemon.WaitForExitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal("READY=1", ready);
        Assert.Equal(0, exit);
        var lines = daemon.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.NotEmpty(lines);
        Assert.All(lines, line => Assert.Matches(JournalLine(), line));
        Assert.Contains(lines, line => line.StartsWith("<6>", StringComparison.Ordinal) && line.Contains("[ClientCertificateGenerated] Generated registry client certificate", StringComparison.Ordinal));
        Assert.Contains(lines, line => line.StartsWith("<6>", StringComparison.Ordinal) && line.Contains(" info: Ams.Daemon.Hosting.AmsHost[AmsListening] AMS listening on", StringComparison.Ordinal));
        Assert.Contains(lines, line => line.StartsWith("<6>", StringComparison.Ordinal) && line.Contains("[AmsStopping] AMS stopping", StringComparison.Ordinal));
    }

    [GeneratedRegex(@"^<[2-7]>\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z (trce|dbug|info|warn|fail|crit): [A-Za-z.]+\[[A-Za-z0-9]+\] \S")]
    private static partial Regex JournalLine();
}
