using System.Security.Cryptography.X509Certificates;
using System.Text.RegularExpressions;
using Aar.Cli.Common;
using Aar.Protocol.Certificates;
using TestSupport;
using Xunit.Abstractions;

namespace Aar.Cli.Tests;

/// <summary><c>aar trust certificate create</c> and <c>aar trust add --role</c> against a real registry.</summary>
public sealed partial class BrowserCertificateCommandTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Create_trusts_a_new_certificate_and_writes_it_with_its_key_under_the_printed_password()
    {
        await using var server = await RegistryTestServer.StartAsync(output);
        using var temp = new TempDirectory();
        var file = temp.Combine("alice.p12");

        var result = await CliHarness.RunAsync(["trust", "certificate", "create", "--name", "alice", "--role", "operator", "--out", file, "--data-dir", server.DataDirectory]);
        var again = await CliHarness.RunAsync(["trust", "certificate", "create", "--name", "alice", "--out", file, "--data-dir", server.DataDirectory]);

        Assert.Equal((ExitCodes.Ok, ""), (result.ExitCode, result.Error));
        var password = PasswordLine().Match(result.Out).Groups["password"].Value;
        Assert.Equal(20, password.Length);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(file));
        using var loaded = X509CertificateLoader.LoadPkcs12FromFile(file, password);
        Assert.True(loaded.HasPrivateKey);
        Assert.Equal("CN=alice", loaded.Subject);
        var entry = Assert.Single((await server.Admin().ListTrustedAsync()).Value!);
        Assert.Equal((Fingerprint.Of(loaded).Hex, "alice", "operator"), (entry.Fingerprint, entry.Name, entry.Role));
        Assert.Equal(ExitCodes.Conflict, again.ExitCode);
        Assert.Contains("already exists", again.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Create_leaves_no_file_when_the_registry_refuses_and_machine_roles_are_not_offered()
    {
        await using var server = await RegistryTestServer.StartAsync(output);
        using var temp = new TempDirectory();

        var refused = await CliHarness.RunAsync(["trust", "certificate", "create", "--name", "bad\u202Ename", "--out", temp.Combine("bad.p12"), "--data-dir", server.DataDirectory]);
        var machine = await CliHarness.RunAsync(["trust", "certificate", "create", "--name", "ams", "--role", "publisher", "--out", temp.Combine("ams.p12"), "--data-dir", server.DataDirectory]);

        Assert.Equal(ExitCodes.InvalidInput, refused.ExitCode);
        Assert.False(File.Exists(temp.Combine("bad.p12")));
        Assert.Equal(ExitCodes.Usage, machine.ExitCode);
        Assert.False(File.Exists(temp.Combine("ams.p12")));
    }

    [Fact]
    public async Task Add_takes_any_role_by_name_and_refuses_a_contradiction()
    {
        await using var server = await RegistryTestServer.StartAsync(output);
        using var temp = new TempDirectory();
        using var viewer = TestCertificates.Client("vera");
        File.WriteAllText(temp.Combine("vera.crt"), TestCertificates.Pem(viewer));

        var contradiction = await CliHarness.RunAsync(["trust", "add", "--publisher", "--role", "viewer", temp.Combine("vera.crt"), "--data-dir", server.DataDirectory]);
        var added = await CliHarness.RunAsync(["trust", "add", "--role", "viewer", temp.Combine("vera.crt"), "--data-dir", server.DataDirectory]);

        Assert.Equal(ExitCodes.Usage, contradiction.ExitCode);
        Assert.Equal($"Trusted certificate {TestCertificates.FingerprintOf(viewer)} ('vera') as viewer.\n", added.Out);
    }

    [GeneratedRegex(@"^Wrote .+; its password \(shown only now\): (?<password>\S+)$", RegexOptions.Multiline)]
    private static partial Regex PasswordLine();
}
