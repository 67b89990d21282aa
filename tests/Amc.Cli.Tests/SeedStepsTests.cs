using Aar.Cli.Common;
using TestSupport;
using Xunit.Abstractions;

namespace Amc.Cli.Tests;

/// <summary>The seed document's "Configure AMS" steps, run as written.</summary>
public sealed class SeedStepsTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Configure_AMS_to_use_the_registry_as_the_seed_describes()
    {
        await using var daemon = await AmsTestDaemon.StartAsync(output);
        using var registry = TestCertificates.ValidBetween("aar", TimeSpan.FromDays(-1), TimeSpan.FromDays(3650));
        var crt = Path.Combine(daemon.Scratch, "server.crt");
        await File.WriteAllTextAsync(crt, TestCertificates.Pem(registry));
        var fingerprint = TestCertificates.FingerprintOf(registry);
        Task<CliResult> Amc(params string[] args) => Tests.Amc.RunAsync(daemon.DataDirectory, args);

        var add = await Amc("config", "trust", "add", crt);
        Assert.Equal((0, $"Certificate {fingerprint} (aar) added to the trust list.\n", ""), (add.ExitCode, add.Out, add.Error));

        var list = await Amc("config", "trust", "list");
        Assert.Equal(0, list.ExitCode);
        var lines = list.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Matches(@"^\| FINGERPRINT\s+\| COMMON NAME \| ISSUE DATE\s+\| EXPIRY DATE\s+\|$", lines[1]);
        Assert.Matches($@"^\| {fingerprint[..12]} \| aar\s+\| \d{{4}}-\d\d-\d\dT\d\d:\d\d:\d\dZ \| \d{{4}}-\d\d-\d\dT\d\d:\d\d:\d\dZ \|$", lines[3]);

        foreach (var step in new[]
        {
            new[] { "config", "set", "registry.url", "https://192.168.178.45:3000" },
            ["config", "set", "registry.fingerprint", fingerprint],
            ["config", "set", "registry.update_interval", "5m"],
            ["config", "set", "registry.mode", "push"],
            ["config", "set", "registry.mode", "pull"],
        })
        {
            var result = await Amc(step);
            Assert.True(result.ExitCode == 0, result.Error);
            Assert.Equal("", result.Out);
        }

        var show = await Amc("config", "show");
        Assert.Equal(0, show.ExitCode);
        Assert.Equal(
            $"""
            config:
              application.auto_publish: "false"
              architecture: amd64
              registry.filter: ""
              registry.fingerprint: {fingerprint}
              registry.mode: pull
              registry.redirect.allow_http: "false"
              registry.signing_key: ""
              registry.timeout.connect: 15s
              registry.timeout.idle: 1m
              registry.timeout.pass: 6h
              registry.update_interval: 5m
              registry.url: https://192.168.178.45:3000

            """,
            show.Out);
    }

    [Fact]
    public async Task Trust_list_json_carries_the_fingerprint_key_scripts_read_and_stdin_works()
    {
        await using var daemon = await AmsTestDaemon.StartAsync(output);
        using var registry = TestCertificates.Client("aar");

        var add = await Amc.RunAsync(daemon.DataDirectory, ["config", "trust", "add", "-"], stdin: TestCertificates.Pem(registry));
        var again = await Amc.RunAsync(daemon.DataDirectory, ["config", "trust", "add", "-"], stdin: TestCertificates.Pem(registry));
        var json = await Amc.RunAsync(daemon.DataDirectory, ["config", "trust", "ls", "--format", "json"]);

        Assert.Equal(0, add.ExitCode);
        // A repeat is a success that changes nothing, as with 'aar trust add'.
        Assert.Equal(0, again.ExitCode);
        Assert.Equal($"Certificate {TestCertificates.FingerprintOf(registry)} (aar) is already in the trust list; nothing changed.\n", again.Out);
        Assert.StartsWith($"[\n  {{\n    \"fingerprint\": \"{TestCertificates.FingerprintOf(registry)}\",\n    \"common_name\": \"aar\",\n", json.Out, StringComparison.Ordinal);

        var removed = await Amc.RunAsync(daemon.DataDirectory, ["config", "trust", "remove", "aar"]);
        Assert.Equal(0, removed.ExitCode);
        Assert.Equal("[]\n", (await Amc.RunAsync(daemon.DataDirectory, ["config", "trust", "ls", "--format", "json"])).Out);
    }

    [Theory]
    [InlineData(new[] { "config", "set", "registry.update_interval", "5x" }, ExitCodes.InvalidInput, "Error: registry.update_interval '5x' is not a duration")]
    [InlineData(new[] { "config", "set", "registry.mode", "sideways" }, ExitCodes.InvalidInput, "Error: registry.mode 'sideways' is not valid")]
    [InlineData(new[] { "config", "set", "nope", "1" }, ExitCodes.InvalidInput, "Error: Unknown configuration key 'nope'")]
    [InlineData(new[] { "config", "trust", "add", "/does/not/exist.crt" }, ExitCodes.InvalidInput, "Error: Cannot read /does/not/exist.crt")]
    [InlineData(new[] { "config", "trust", "remove", "nobody" }, ExitCodes.NotFound, "Error: No certificate in the trust list has the fingerprint or name 'nobody'")]
    public async Task Bad_config_input_is_one_sentence_on_stderr_with_a_documented_exit_code(string[] args, int exitCode, string message)
    {
        await using var daemon = await AmsTestDaemon.StartAsync(output);

        var result = await Amc.RunAsync(daemon.DataDirectory, args);

        Assert.Equal(exitCode, result.ExitCode);
        Assert.StartsWith(message, result.Error, StringComparison.Ordinal);
        Assert.Single(result.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Equal("", result.Out);
    }

    [Theory]
    [InlineData("wait", "hello", "-c", "status=ready", "-t", "5x")]
    [InlineData("application", "create", "p.zip", "-t", "0s")]
    public async Task A_bad_timeout_is_a_usage_error_before_anything_runs(params string[] args)
    {
        using var directory = new TempDirectory("amc");

        var result = await Amc.RunAsync(directory.Path, args);

        Assert.Equal(ExitCodes.Usage, result.ExitCode);
        Assert.Contains($"--timeout '{args[^1]}' is not a duration: use a number with a unit, such as 30s, 5m or 1h.", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Daemon_not_running_says_how_to_start_it()
    {
        using var directory = new TempDirectory("amc");

        var result = await Amc.RunAsync(directory.Path, ["application", "list"]);

        Assert.Equal(ExitCodes.Unreachable, result.ExitCode);
        Assert.Equal($"Error: Cannot reach the management service: no AMS is running with this data directory ({directory.Path}/unix.socket does not exist). Start it with 'ams serve', or point to its data directory with --data-dir or AMS_DATA_DIR.\n", result.Error);
    }
}
