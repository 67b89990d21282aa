using Aar.Cli.Common;
using TestSupport;
using Xunit.Abstractions;

namespace Aar.Cli.Tests;

/// <summary>Every way <c>aar trust</c> can be misused: one sentence on stderr, a documented exit code, nothing changed.</summary>
public sealed class TrustCommandErrorTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Server_not_running_says_how_to_start_it()
    {
        using var temp = new TempDirectory();

        var result = await CliHarness.RunAsync(["trust", "list", "--data-dir", temp.Path]);

        Assert.Equal(ExitCodes.Unreachable, result.ExitCode);
        Assert.Equal($"Error: Cannot reach the registry: no registry is running with this data directory ({temp.Combine("unix.socket")} does not exist). Start it with 'aar serve', or point to its data directory with --data-dir or AAR_DATA_DIR.\n", result.Error);
        Assert.Equal("", result.Out);
    }

    [Fact]
    public async Task Add_without_a_file_or_piped_input_is_a_usage_error_not_a_hang()
    {
        await using var server = await RegistryTestServer.StartAsync(output);

        var result = await CliHarness.RunAsync(["trust", "add", "--data-dir", server.DataDirectory], stdin: null);

        Assert.Equal(ExitCodes.Usage, result.ExitCode);
        Assert.Contains("cat client.crt | aar trust add", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Add_of_a_missing_file_names_the_file()
    {
        await using var server = await RegistryTestServer.StartAsync(output);

        var result = await CliHarness.RunAsync(["trust", "add", "/nonexistent/client.crt", "--data-dir", server.DataDirectory]);

        Assert.Equal(ExitCodes.InvalidInput, result.ExitCode);
        Assert.StartsWith("Error: Cannot read /nonexistent/client.crt", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Add_of_a_huge_file_is_refused_before_it_is_read()
    {
        await using var server = await RegistryTestServer.StartAsync(output);
        using var temp = new TempDirectory();
        using (var big = File.Create(temp.Combine("big.crt")))
        {
            big.SetLength(50L * 1024 * 1024);
        }

        var result = await CliHarness.RunAsync(["trust", "add", temp.Combine("big.crt"), "--data-dir", server.DataDirectory]);

        Assert.Equal(ExitCodes.InvalidInput, result.ExitCode);
        Assert.Contains("too large for a certificate", result.Error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("", "is empty")]
    [InlineData("garbage\n", "is not PEM")]
    public async Task Add_of_bad_standard_input_is_refused(string stdin, string expected)
    {
        await using var server = await RegistryTestServer.StartAsync(output);

        var result = await CliHarness.RunAsync(["trust", "add", "--data-dir", server.DataDirectory], stdin);

        Assert.Equal(ExitCodes.InvalidInput, result.ExitCode);
        Assert.Contains(expected, result.Error, StringComparison.Ordinal);
        Assert.Equal("", result.Out);
    }

    [Fact]
    public async Task Add_of_a_private_key_is_refused_and_the_key_is_not_echoed()
    {
        await using var server = await RegistryTestServer.StartAsync(output);
        using var certificate = TestCertificates.Client();
        var key = TestCertificates.PrivateKeyPem(certificate);

        var result = await CliHarness.RunAsync(["trust", "add", "--data-dir", server.DataDirectory], key);

        Assert.Equal(ExitCodes.InvalidInput, result.ExitCode);
        Assert.Contains("private key", result.Error, StringComparison.Ordinal);
        var keyBody = key.Split('\n')[1];
        Assert.DoesNotContain(keyBody, result.Error + result.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Add_of_a_new_certificate_made_from_a_revoked_key_is_a_conflict_naming_the_key()
    {
        await using var server = await RegistryTestServer.StartAsync(output);
        using var key = System.Security.Cryptography.ECDsa.Create(System.Security.Cryptography.ECCurve.NamedCurves.nistP256);
        using var revoked = TestCertificates.FromKey(key, "ams-1");
        await server.TrustAsync(revoked);
        var revoke = await CliHarness.RunAsync(["trust", "revoke", TestCertificates.FingerprintOf(revoked), "--yes", "--data-dir", server.DataDirectory]);
        Assert.Equal(ExitCodes.Ok, revoke.ExitCode);
        using var reissued = TestCertificates.FromKey(key, "ams-1");

        var result = await CliHarness.RunAsync(["trust", "add", "--data-dir", server.DataDirectory], TestCertificates.Pem(reissued));

        Assert.Equal(ExitCodes.Conflict, result.ExitCode);
        Assert.StartsWith($"Error: Certificate {TestCertificates.FingerprintOf(reissued)} is made from a key that was revoked on ", result.Error, StringComparison.Ordinal);
        Assert.Contains("Make a new key pair", result.Error, StringComparison.Ordinal);
        Assert.Equal("", result.Out);
    }

    [Theory]
    [InlineData("ams\u202Eexe.crt", "U+202E (a bidirectional formatting character) at position 4")]
    [InlineData("ams\u0007", "U+0007 (a control character) at position 4")]
    [InlineData("ams\u200B1", "U+200B (an invisible format character) at position 4")]
    public async Task Add_with_a_name_that_would_not_show_as_itself_is_refused(string escapedName, string expected)
    {
        await using var server = await RegistryTestServer.StartAsync(output);
        using var certificate = TestCertificates.Client("plain");
        var name = System.Text.RegularExpressions.Regex.Unescape(escapedName);

        var result = await CliHarness.RunAsync(["trust", "add", "--name", name, "--data-dir", server.DataDirectory], TestCertificates.Pem(certificate));

        Assert.Equal(ExitCodes.InvalidInput, result.ExitCode);
        Assert.Equal($"Error: Name contains {expected}; control, invisible format and bidirectional characters are refused because they make a name show differently from what is stored.\n", result.Error);
        using var admin = server.Admin();
        Assert.Empty((await admin.ListTrustedAsync()).Value!);
    }

    [Theory]
    [InlineData("remove", "abc", ExitCodes.InvalidInput, "too short")]
    [InlineData("remove", "0123456789abcdef", ExitCodes.NotFound, "No trusted certificate")]
    [InlineData("revoke", "0123456789abcdef", ExitCodes.NotFound, "full 64-character fingerprint")]
    public async Task Unknown_or_short_fingerprints_are_refused(string command, string prefix, int exitCode, string expected)
    {
        await using var server = await RegistryTestServer.StartAsync(output);

        string[] args = command == "revoke"
            ? ["trust", command, prefix, "--yes", "--data-dir", server.DataDirectory]
            : ["trust", command, prefix, "--data-dir", server.DataDirectory];

        var result = await CliHarness.RunAsync(args);

        Assert.Equal(exitCode, result.ExitCode);
        Assert.Contains(expected, result.Error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(new[] { "trust", "list", "--format", "xml" }, "Error: --format 'xml' is unknown: use one of table, csv, json, yaml.\nRun 'aar trust list --help' for usage.\n")]
    [InlineData(new[] { "trust", "remove" }, "Error: \"aar trust remove\" needs its <fingerprint> argument.\nRun 'aar trust remove --help' for usage.\n")]
    [InlineData(new[] { "trust", "frobnicate" }, "Error: unknown command \"frobnicate\" for \"aar trust\".\nRun 'aar trust --help' for usage.\n")]
    public async Task Usage_errors_exit_1_with_one_line_and_a_hint(string[] args, string expected)
    {
        var result = await CliHarness.RunAsync(args);

        Assert.Equal((ExitCodes.Usage, expected, ""), (result.ExitCode, result.Error, result.Out));
    }
}
