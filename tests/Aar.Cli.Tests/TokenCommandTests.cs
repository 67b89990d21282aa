using Aar.Cli.Common;
using Aar.Protocol.Enrolment;
using TestSupport;
using Xunit.Abstractions;

namespace Aar.Cli.Tests;

/// <summary><c>aar trust token …</c> against a real registry.</summary>
public sealed class TokenCommandTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Create_prints_a_token_that_joins_list_shows_it_until_used()
    {
        await using var server = await RegistryTestServer.StartAsync(output);

        var create = await CliHarness.RunAsync(["trust", "token", "create", "--publisher", "--expires", "15m", "--data-dir", server.DataDirectory]);
        var listed = await CliHarness.RunAsync(["trust", "token", "list", "--format", "csv", "--data-dir", server.DataDirectory]);

        Assert.Equal(ExitCodes.Ok, create.ExitCode);
        Assert.True(JoinToken.TryDecode(create.Out.Trim(), out var token, out _));
        Assert.Equal("publisher", token!.Role);
        Assert.Contains("amc registry join <token>", create.Error, StringComparison.Ordinal);
        using (var admin = server.Admin())
        {
            var signingKey = (await admin.GetSigningKeyAsync()).Value!;
            Assert.Equal(signingKey.PublicKey, token.SigningKey);
            Assert.Contains($"signing key {signingKey.KeyId}.", create.Error, StringComparison.Ordinal);
        }

        Assert.InRange(token.ExpiresAt - DateTimeOffset.UtcNow, TimeSpan.FromMinutes(14), TimeSpan.FromMinutes(15));
        Assert.Matches(@"^[0-9a-f]{12},publisher,,\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ,\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ,valid$", listed.Out.Split('\n')[1]);
        Assert.DoesNotContain(token.Secret, listed.Out, StringComparison.Ordinal);

        using var ams = TestCertificates.Client("joiner");
        Assert.True((await EnrolmentClient.JoinAsync(token, ams, null, TimeSpan.FromSeconds(10))).Succeeded);
        var after = await CliHarness.RunAsync(["trust", "token", "list", "--format", "csv", "--data-dir", server.DataDirectory]);
        Assert.Equal("ID,ROLE,NAME,CREATED,EXPIRES,STATUS\n", after.Out);
    }

    [Fact]
    public async Task Delete_removes_a_token_and_an_unknown_id_is_not_found()
    {
        await using var server = await RegistryTestServer.StartAsync(output);
        await CliHarness.RunAsync(["trust", "token", "create", "--data-dir", server.DataDirectory]);
        var list = await CliHarness.RunAsync(["trust", "token", "list", "--format", "csv", "--data-dir", server.DataDirectory]);
        var id = list.Out.Split('\n')[1].Split(',')[0];

        var delete = await CliHarness.RunAsync(["trust", "token", "delete", id, "--data-dir", server.DataDirectory]);
        var again = await CliHarness.RunAsync(["trust", "token", "delete", id, "--data-dir", server.DataDirectory]);

        Assert.Equal((ExitCodes.Ok, $"Deleted join token {id}.\n"), (delete.ExitCode, delete.Out));
        Assert.Equal(ExitCodes.NotFound, again.ExitCode);
        Assert.Contains("aar trust token list", again.Error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--expires", "soon", ExitCodes.Usage, "not a duration")]
    [InlineData("--expires", "10s", ExitCodes.InvalidInput, "must live between")]
    [InlineData("--address", "nohost", ExitCodes.InvalidInput, "is not host:port")]
    public async Task Bad_create_options_are_refused(string option, string value, int exitCode, string expected)
    {
        await using var server = await RegistryTestServer.StartAsync(output);

        var result = await CliHarness.RunAsync(["trust", "token", "create", option, value, "--data-dir", server.DataDirectory]);

        Assert.Equal(exitCode, result.ExitCode);
        Assert.Contains(expected, result.Error, StringComparison.Ordinal);
        Assert.Equal("", result.Out);
    }
}
