using System.Text.Json;
using System.Text.RegularExpressions;
using TestSupport;

namespace Aar.Cli.Tests;

/// <summary>What a real <c>aar serve</c> writes on stderr: event names, levels, the journal's priorities, JSON fields.</summary>
public sealed partial class ServeLogTests
{
    [Fact]
    public async Task Under_the_journal_every_line_starts_with_its_syslog_priority_and_names_its_event()
    {
        using var temp = new TempDirectory();
        var data = temp.Combine("data");
        using var notify = new SystemdNotifySocket(temp.Combine("notify"));
        using var server = ChildProcess.StartUnderSystemdJournal(temp.Path, notify.Path, "aar", "serve", "--data-dir", data, "--listen", $"127.0.0.1:{AarProcess.FreePort()}");

        var ready = await notify.ReceiveAsync(TimeSpan.FromSeconds(30));
        server.Signal(AarProcess.SigTerm);
        var exit = await server.WaitForExitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal("READY=1", ready);
        Assert.Equal(0, exit);
        var lines = Lines(server.Stderr);
        Assert.NotEmpty(lines);
        Assert.All(lines, line => Assert.Matches(JournalLine(), line));
        Assert.Contains(lines, line => line.StartsWith("<6>", StringComparison.Ordinal)
            && line.Contains(" info: Aar.Server.Hosting.RegistryHost[RegistryListening] Registry listening on https://127.0.0.1:", StringComparison.Ordinal));
        Assert.Contains(lines, line => line.Contains("[ServerCertificateGenerated] Generated server certificate", StringComparison.Ordinal));
        Assert.StartsWith("<6>", lines[^1], StringComparison.Ordinal);
        Assert.Contains(" info: Aar.Server.Hosting.RegistryHost[RegistryStopping] Registry stopping", lines[^1], StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_JOURNAL_STREAM_that_is_not_its_stderr_adds_no_priority()
    {
        // What a terminal started by a user service passes on: the variable, naming another stream.
        using var temp = new TempDirectory();
        var data = temp.Combine("data");
        using var server = ChildProcess.Start("aar", new Dictionary<string, string> { ["JOURNAL_STREAM"] = "8:12345" },
            "serve", "--data-dir", data, "--listen", $"127.0.0.1:{AarProcess.FreePort()}");
        await server.WaitUntilReadyAsync(Path.Combine(data, "unix.socket"), TimeSpan.FromSeconds(30));
        server.Signal(AarProcess.SigTerm);
        await server.WaitForExitAsync(TimeSpan.FromSeconds(30));

        var lines = Lines(server.Stderr);
        Assert.All(lines, line => Assert.Matches(TextLine(), line));
        Assert.Contains(lines, line => line.Contains(" info: Aar.Server.Hosting.RegistryHost[RegistryListening] ", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Json_lines_carry_the_documented_fields_and_debug_adds_each_request()
    {
        using var temp = new TempDirectory();
        var data = temp.Combine("data");
        using var server = AarProcess.Start("serve", "--data-dir", data, "--listen", $"127.0.0.1:{AarProcess.FreePort()}", "--log-format", "json", "--log-level", "debug");
        await server.WaitUntilReadyAsync(Path.Combine(data, "unix.socket"), TimeSpan.FromSeconds(30));
        var list = await AarProcess.RunAsync(null, "trust", "list", "--data-dir", data);
        server.Signal(AarProcess.SigTerm);
        await server.WaitForExitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(0, list.ExitCode);
        var events = Lines(server.Stderr).Select(line => JsonDocument.Parse(line).RootElement).ToList();
        Assert.All(events, e =>
        {
            Assert.Matches(Timestamp(), e.GetProperty("timestamp").GetString()!);
            Assert.Contains(e.GetProperty("level").GetString(), new[] { "trace", "debug", "information", "warning", "error", "critical" });
            Assert.False(string.IsNullOrEmpty(e.GetProperty("category").GetString()));
            Assert.False(string.IsNullOrEmpty(e.GetProperty("event").GetString()));
            Assert.False(string.IsNullOrEmpty(e.GetProperty("message").GetString()));
        });
        var listening = Assert.Single(events, e => e.GetProperty("event").GetString() == "RegistryListening");
        Assert.Equal("information", listening.GetProperty("level").GetString());
        Assert.Equal("Aar.Server.Hosting.RegistryHost", listening.GetProperty("category").GetString());
        Assert.Equal(64, listening.GetProperty("state").GetProperty("Fingerprint").GetString()!.Length);
        Assert.StartsWith("Registry listening on ", listening.GetProperty("message").GetString(), StringComparison.Ordinal);
        // The request 'aar trust list' made, with the request's scope (its path) attached.
        var request = Assert.Single(events, e => e.GetProperty("category").GetString() == "Microsoft.AspNetCore.Hosting.Diagnostics"
            && e.GetProperty("event").GetString() == "RequestFinished");
        Assert.StartsWith("Request finished HTTP/1.1 GET http://localhost/admin/1.0/trust - 200", request.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Contains(request.GetProperty("scopes").EnumerateArray(), s => s.TryGetProperty("RequestPath", out var path) && path.GetString() == "/admin/1.0/trust");
    }

    [Fact]
    public async Task At_information_a_request_writes_no_line()
    {
        using var temp = new TempDirectory();
        var data = temp.Combine("data");
        using var server = AarProcess.Start("serve", "--data-dir", data, "--listen", $"127.0.0.1:{AarProcess.FreePort()}");
        await server.WaitUntilReadyAsync(Path.Combine(data, "unix.socket"), TimeSpan.FromSeconds(30));
        var before = Lines(server.Stderr).Count;
        var list = await AarProcess.RunAsync(null, "trust", "list", "--data-dir", data);
        var tokens = await AarProcess.RunAsync(null, "trust", "token", "list", "--data-dir", data);
        await Task.Delay(200);
        var after = Lines(server.Stderr).Count;
        server.Signal(AarProcess.SigTerm);
        await server.WaitForExitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(0, list.ExitCode);
        Assert.Equal(0, tokens.ExitCode);
        Assert.Equal(before, after);
    }

    [Fact]
    public async Task Warning_leaves_out_the_information_lines()
    {
        using var temp = new TempDirectory();
        var data = temp.Combine("data");
        using var server = AarProcess.Start("serve", "--data-dir", data, "--listen", $"127.0.0.1:{AarProcess.FreePort()}", "--log-level", "warning");
        // Nothing to wait for on stderr: the admin socket answering is the sign it started.
        var deadline = DateTime.UtcNow.AddSeconds(30);
        CliResult list;
        do
        {
            await Task.Delay(100);
            list = await AarProcess.RunAsync(null, "trust", "list", "--data-dir", data);
        }
        while (list.ExitCode != 0 && DateTime.UtcNow < deadline);
        server.Signal(AarProcess.SigTerm);
        var exit = await server.WaitForExitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(0, list.ExitCode);
        Assert.Equal(0, exit);
        Assert.Empty(Lines(server.Stderr));
    }

    [Fact]
    public async Task An_unknown_level_is_listed_with_the_other_problems_and_nothing_starts()
    {
        using var temp = new TempDirectory();
        var result = await AarProcess.RunAsync(null, "serve", "--data-dir", temp.Combine("data"), "--listen", "nowhere", "--log-level", "loud");

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("--log-level 'loud' is unknown: use trace, debug, information, warning, error or critical.", result.Error, StringComparison.Ordinal);
        Assert.Contains("--listen 'nowhere'", result.Error, StringComparison.Ordinal);
        Assert.False(Directory.Exists(temp.Combine("data")), "nothing was created");
    }

    private static List<string> Lines(string stderr) =>
        [.. stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)];

    [GeneratedRegex(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")]
    private static partial Regex Timestamp();

    [GeneratedRegex(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z (trce|dbug|info|warn|fail|crit): [A-Za-z.]+\[[A-Za-z0-9]+\] \S")]
    private static partial Regex TextLine();

    [GeneratedRegex(@"^<[2-7]>\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z (trce|dbug|info|warn|fail|crit): [A-Za-z.]+\[[A-Za-z0-9]+\] \S")]
    private static partial Regex JournalLine();
}
