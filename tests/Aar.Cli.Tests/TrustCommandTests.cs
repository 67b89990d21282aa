using System.Text.Json;
using Aar.Cli.Common;
using TestSupport;
using Xunit.Abstractions;

namespace Aar.Cli.Tests;

/// <summary><c>aar trust …</c> in-process against a real registry on its real admin socket.</summary>
public sealed class TrustCommandTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Help_lists_the_four_subcommands_with_the_seed_descriptions()
    {
        var result = await CliHarness.RunAsync(["trust", "--help"]);

        Assert.Equal(ExitCodes.Ok, result.ExitCode);
        Assert.Contains("Manage trusted clients", result.Out, StringComparison.Ordinal);
        Assert.Matches(@"add <file>\s+Register a client certificate", result.Out);
        Assert.Matches(@"list, ls\s+List currently trusted clients", result.Out);
        Assert.Matches(@"remove, rm <fingerprint>\s+Remove a trusted certificate", result.Out);
        Assert.Matches(@"revoke <fingerprint>\s+Revoke a certificate", result.Out);
    }

    [Fact]
    public async Task Add_from_standard_input_and_from_a_file_as_in_the_seed()
    {
        await using var server = await RegistryTestServer.StartAsync(output);
        using var temp = new TempDirectory();
        using var client = TestCertificates.Client("ams-client");
        using var publisher = TestCertificates.Client("ams-publisher");
        File.WriteAllText(temp.Combine("publisher.crt"), TestCertificates.Pem(publisher));

        var piped = await CliHarness.RunAsync(["trust", "add", "--data-dir", server.DataDirectory], TestCertificates.Pem(client));
        var fromFile = await CliHarness.RunAsync(["--data-dir", server.DataDirectory, "trust", "add", "-p", temp.Combine("publisher.crt"), "--name", "publisher-amd64"]);
        var list = await CliHarness.RunAsync(["trust", "list", "--format", "json", "--data-dir", server.DataDirectory]);

        Assert.Equal((ExitCodes.Ok, ""), (piped.ExitCode, piped.Error));
        Assert.Equal($"Trusted certificate {TestCertificates.FingerprintOf(client)} ('ams-client') as client.\n", piped.Out);
        Assert.Equal(ExitCodes.Ok, fromFile.ExitCode);
        Assert.Equal($"Trusted certificate {TestCertificates.FingerprintOf(publisher)} ('publisher-amd64') as publisher.\n", fromFile.Out);
        using var json = JsonDocument.Parse(list.Out);
        var rows = json.RootElement.EnumerateArray().Select(e => (e.GetProperty("fingerprint").GetString(), e.GetProperty("role").GetString(), e.GetProperty("name").GetString())).ToList();
        Assert.Equal(
            [(TestCertificates.FingerprintOf(client), "client", "ams-client"), (TestCertificates.FingerprintOf(publisher), "publisher", "publisher-amd64")],
            rows);
    }

    [Fact]
    public async Task List_formats_show_the_same_entries()
    {
        await using var server = await RegistryTestServer.StartAsync(output);
        using var certificate = TestCertificates.Client("lister");
        await server.TrustAsync(certificate);
        var fingerprint = TestCertificates.FingerprintOf(certificate);

        var table = await CliHarness.RunAsync(["trust", "ls", "--data-dir", server.DataDirectory]);
        var csv = await CliHarness.RunAsync(["trust", "list", "--format", "csv", "--data-dir", server.DataDirectory]);
        var yaml = await CliHarness.RunAsync(["trust", "list", "--format", "yaml", "--data-dir", server.DataDirectory]);

        Assert.Matches($@"\| NAME\s+\| FINGERPRINT\s+\| ROLE\s+\| ADDED\s+\| EXPIRES\s+\|", table.Out);
        Assert.Matches($@"\| lister\s+\| {fingerprint[..12]}\s+\| client\s+\|", table.Out);
        var csvLines = csv.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("NAME,FINGERPRINT,ROLE,ADDED,EXPIRES", csvLines[0]);
        Assert.Matches($@"^lister,{fingerprint},client,\d{{4}}-\d\d-\d\dT\d\d:\d\d:\d\dZ,\d{{4}}-\d\d-\d\dT\d\d:\d\d:\d\dZ$", csvLines[1]);
        Assert.Contains($"- fingerprint: {fingerprint}\n  name: lister\n  role: client\n", yaml.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Remove_then_add_again_works()
    {
        await using var server = await RegistryTestServer.StartAsync(output);
        using var certificate = TestCertificates.Client();
        var pem = TestCertificates.Pem(certificate);
        await server.TrustAsync(certificate);
        var fingerprint = TestCertificates.FingerprintOf(certificate);

        var remove = await CliHarness.RunAsync(["trust", "remove", fingerprint[..12], "--data-dir", server.DataDirectory]);
        var again = await CliHarness.RunAsync(["trust", "add", "--data-dir", server.DataDirectory], pem);

        Assert.Equal(ExitCodes.Ok, remove.ExitCode);
        Assert.StartsWith($"Removed certificate {fingerprint}", remove.Out, StringComparison.Ordinal);
        Assert.Equal(ExitCodes.Ok, again.ExitCode);
    }

    [Fact]
    public async Task Revoke_asks_first_and_a_no_changes_nothing()
    {
        await using var server = await RegistryTestServer.StartAsync(output);
        using var certificate = TestCertificates.Client("careful");
        await server.TrustAsync(certificate);
        var fingerprint = TestCertificates.FingerprintOf(certificate);

        var no = await CliHarness.RunAsync(["trust", "revoke", fingerprint[..12], "--data-dir", server.DataDirectory], "n\n");
        var noAnswer = await CliHarness.RunAsync(["trust", "revoke", fingerprint[..12], "--data-dir", server.DataDirectory], "");
        var list = await CliHarness.RunAsync(["trust", "list", "--format", "csv", "--data-dir", server.DataDirectory]);

        Assert.Equal(ExitCodes.Cancelled, no.ExitCode);
        Assert.Contains($"Revoke certificate {fingerprint} ('careful', client)? This cannot be undone", no.Error, StringComparison.Ordinal);
        Assert.Contains("Nothing was revoked.", no.Error, StringComparison.Ordinal);
        Assert.Equal(ExitCodes.Cancelled, noAnswer.ExitCode);
        Assert.Contains("Pass --yes", noAnswer.Error, StringComparison.Ordinal);
        Assert.Contains(fingerprint, list.Out, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("y\n", false)]
    [InlineData("", true)]
    public async Task Revoke_with_confirmation_or_yes_is_final(string answer, bool useYes)
    {
        await using var server = await RegistryTestServer.StartAsync(output);
        using var certificate = TestCertificates.Client();
        await server.TrustAsync(certificate);
        var fingerprint = TestCertificates.FingerprintOf(certificate);
        string[] args = useYes ? ["trust", "revoke", "-y", fingerprint, "--data-dir", server.DataDirectory] : ["trust", "revoke", fingerprint, "--data-dir", server.DataDirectory];

        var revoke = await CliHarness.RunAsync(args, answer);
        var readd = await CliHarness.RunAsync(["trust", "add", "--data-dir", server.DataDirectory], TestCertificates.Pem(certificate));
        var revoked = await CliHarness.RunAsync(["trust", "list", "--revoked", "--format", "csv", "--data-dir", server.DataDirectory]);

        Assert.Equal(ExitCodes.Ok, revoke.ExitCode);
        Assert.StartsWith($"Revoked certificate {fingerprint}", revoke.Out, StringComparison.Ordinal);
        Assert.Equal(ExitCodes.Conflict, readd.ExitCode);
        Assert.Contains("can never be trusted again", readd.Error, StringComparison.Ordinal);
        Assert.Contains(fingerprint, revoked.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Adding_the_same_certificate_twice_says_so_and_succeeds()
    {
        await using var server = await RegistryTestServer.StartAsync(output);
        using var certificate = TestCertificates.Client("dup");
        await server.TrustAsync(certificate);

        var again = await CliHarness.RunAsync(["trust", "add", "--data-dir", server.DataDirectory], TestCertificates.Pem(certificate));
        var quiet = await CliHarness.RunAsync(["trust", "add", "-q", "--data-dir", server.DataDirectory], TestCertificates.Pem(certificate));

        Assert.Equal(ExitCodes.Ok, again.ExitCode);
        Assert.Contains("already trusted as client", again.Out, StringComparison.Ordinal);
        Assert.Equal((ExitCodes.Ok, ""), (quiet.ExitCode, quiet.Out));
    }
}
