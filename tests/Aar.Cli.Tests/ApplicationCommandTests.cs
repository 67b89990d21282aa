using System.Net;
using System.Text;
using System.Text.Json;
using Aar.Cli.Common;
using Aar.Protocol.Registry;
using TestSupport;
using Xunit.Abstractions;

namespace Aar.Cli.Tests;

/// <summary><c>aar application …</c>, <c>aar status</c> and <c>aar storage scrub</c> in-process against a real registry.</summary>
public sealed class ApplicationCommandTests(ITestOutputHelper output)
{
    [Fact]
    public async Task List_and_show_print_what_the_registry_holds()
    {
        await using var server = await RegistryTestServer.StartAsync(output);
        var digest = await PublishAsync(server, ("game", "amd64", 0), ("game", "amd64", 1), ("game", "arm64", 0));

        var table = await CliHarness.RunAsync(["application", "list", "--data-dir", server.DataDirectory]);
        var json = await CliHarness.RunAsync(["app", "ls", "--format", "json", "-a", "arm64", "--data-dir", server.DataDirectory]);
        var show = await CliHarness.RunAsync(["application", "show", "game", "-a", "amd64", "--data-dir", server.DataDirectory]);

        Assert.Equal((ExitCodes.Ok, ""), (table.ExitCode, table.Error));
        Assert.Matches(@"\| game\s+\| amd64\s+\| 2\s+\| 1\s+\| 1\.0 KiB", table.Out);
        Assert.Matches(@"\| game\s+\| arm64\s+\| 1\s+\| 0\s+", table.Out);
        using var document = JsonDocument.Parse(json.Out);
        Assert.Equal(3, document.RootElement.GetProperty("generation").GetInt64());
        Assert.Equal("arm64", document.RootElement.GetProperty("applications").EnumerateArray().Single().GetProperty("architecture").GetString());
        Assert.Equal(ExitCodes.Ok, show.ExitCode);
        Assert.Contains($"digest: {digest}", show.Out, StringComparison.Ordinal);
        Assert.DoesNotContain("arm64", show.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Delete_asks_first_and_removes_with_yes()
    {
        await using var server = await RegistryTestServer.StartAsync(output);
        await PublishAsync(server, ("game", "amd64", 0), ("game", "amd64", 1));

        var declined = await CliHarness.RunAsync(["application", "delete", "game", "-a", "amd64", "--version", "0", "--data-dir", server.DataDirectory], "n\n");
        var version = await CliHarness.RunAsync(["application", "delete", "game", "-a", "amd64", "--version", "0", "--yes", "--data-dir", server.DataDirectory]);
        var whole = await CliHarness.RunAsync(["application", "rm", "game", "-a", "amd64", "--data-dir", server.DataDirectory], "y\n");
        var missing = await CliHarness.RunAsync(["application", "delete", "game", "-a", "amd64", "-y", "--data-dir", server.DataDirectory]);

        Assert.Equal(ExitCodes.Cancelled, declined.ExitCode);
        Assert.Equal("Deleted version 0 of 'game' (amd64) (generation 3).\n", version.Out);
        Assert.Equal("Deleted application 'game' (amd64) with all its versions (generation 4).\n", whole.Out);
        Assert.Equal(ExitCodes.NotFound, missing.ExitCode);
        Assert.Equal("Error: The registry has no application 'game' for architecture amd64.\n", missing.Error);
    }

    [Fact]
    public async Task Delete_needs_the_architecture_only_when_the_name_exists_for_several()
    {
        await using var server = await RegistryTestServer.StartAsync(output);
        await PublishAsync(server, ("game", "amd64", 0), ("game", "arm64", 0), ("solo", "arm64", 0));

        var ambiguous = await CliHarness.RunAsync(["application", "delete", "game", "-y", "--data-dir", server.DataDirectory]);
        var solo = await CliHarness.RunAsync(["application", "delete", "solo", "-y", "--data-dir", server.DataDirectory]);
        var unknown = await CliHarness.RunAsync(["application", "delete", "nothing", "-y", "--data-dir", server.DataDirectory]);
        var listed = await server.Admin().ListApplicationsAsync();

        Assert.Equal((ExitCodes.Conflict, "Error: 'game' exists for amd64 and arm64; say which with -a/--architecture (e.g. -a amd64).\n"), (ambiguous.ExitCode, ambiguous.Error));
        Assert.Equal((ExitCodes.Ok, "Deleted application 'solo' (arm64) with all its versions (generation 4).\n"), (solo.ExitCode, solo.Out));
        Assert.Equal(ExitCodes.NotFound, unknown.ExitCode);
        Assert.Equal([("game", "amd64"), ("game", "arm64")], listed.Value!.Applications.Select(a => (a.Name, a.Architecture)));
    }

    [Fact]
    [Trait("Backend", "Embedded")] // damages a blob file in the data directory
    public async Task Status_and_scrub_report_storage()
    {
        await using var server = await RegistryTestServer.StartAsync(output);
        var digest = await PublishAsync(server, ("game", "amd64", 0));

        var status = await CliHarness.RunAsync(["status", "--format", "yaml", "--data-dir", server.DataDirectory]);
        var table = await CliHarness.RunAsync(["status", "--data-dir", server.DataDirectory]);
        var clean = await CliHarness.RunAsync(["storage", "scrub", "--data-dir", server.DataDirectory]);
        var hex = digest.Hex;
        await File.WriteAllBytesAsync(Path.Combine(server.DataDirectory, "blobs", "sha256", hex[..2], hex), new byte[1024]);
        var damaged = await CliHarness.RunAsync(["storage", "scrub", "--data-dir", server.DataDirectory]);
        var damagedJson = await CliHarness.RunAsync(["storage", "scrub", "--format", "json", "--data-dir", server.DataDirectory]);

        Assert.Equal(ExitCodes.Ok, status.ExitCode);
        Assert.Contains("versions: 1\n", status.Out, StringComparison.Ordinal);
        Assert.Contains("blob_bytes: 1024\n", status.Out, StringComparison.Ordinal);
        Assert.Contains("trusted_publishers: 1\n", status.Out, StringComparison.Ordinal);
        Assert.Matches(@"\| blob_bytes\s+\| 1\.0 KiB\s+\|", table.Out);
        Assert.Equal("Checked 1 blobs (1.0 KiB): 0 damaged, 0 missing.\n", clean.Out);
        Assert.Equal(ExitCodes.Conflict, damaged.ExitCode);
        Assert.Contains($"damaged: {digest}", damaged.Out, StringComparison.Ordinal);
        // The second scrub still finds the blob unusable (in quarantine, so missing) and says so in json.
        Assert.Equal(ExitCodes.Conflict, damagedJson.ExitCode);
        using var report = JsonDocument.Parse(damagedJson.Out);
        var found = report.RootElement.GetProperty("corrupt").EnumerateArray().Concat(report.RootElement.GetProperty("missing").EnumerateArray());
        Assert.Equal([digest.ToString()], found.Select(e => e.GetString()));
    }

    [Fact]
    public async Task Without_a_server_the_commands_exit_2()
    {
        using var temp = new TempDirectory();

        var result = await CliHarness.RunAsync(["application", "list", "--data-dir", temp.Path]);

        Assert.Equal(ExitCodes.Unreachable, result.ExitCode);
        Assert.Contains("aar serve", result.Error, StringComparison.Ordinal);
    }

    internal static async Task<BlobDigest> PublishAsync(RegistryTestServer server, params (string Name, string Architecture, int Version)[] versions)
    {
        using var certificate = TestCertificates.Client("publisher");
        await server.TrustAsync(certificate, TrustRole.Publisher);
        using var client = server.Client(certificate);
        var bytes = new byte[1024];
        Random.Shared.NextBytes(bytes);
        var digest = BlobDigest.Of(bytes);
        using (var put = await client.Http.PutAsync($"/1.0/blobs/{digest}", new ByteArrayContent(bytes)))
        {
            Assert.Equal(HttpStatusCode.Created, put.StatusCode);
        }

        foreach (var (name, architecture, version) in versions)
        {
            using var content = new StringContent($$"""{"digest":"{{digest}}","size":1024,"tags":["beta"]}""", Encoding.UTF8, "application/json");
            using var response = await client.Http.PutAsync($"/1.0/applications/{name}/{architecture}/versions/{version}", content);
            Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        }

        return digest;
    }
}
