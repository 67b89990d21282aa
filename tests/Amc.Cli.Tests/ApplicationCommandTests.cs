using System.Text.Json;
using Aar.Cli.Common;
using TestSupport;
using Xunit.Abstractions;

namespace Amc.Cli.Tests;

public sealed class ApplicationCommandTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Create_from_a_directory_then_update_publish_revoke_wait_and_delete()
    {
        await using var daemon = await AmsTestDaemon.StartAsync(output);
        Task<CliResult> Amc(params string[] args) => Tests.Amc.RunAsync(daemon.DataDirectory, args);
        var directory = TestPackage.Minimal().File("extra-data/game.obb", "data").WriteDirectory(Path.Combine(daemon.Scratch, "hello"));

        var create = await Amc("application", "create", directory);
        Assert.True(create.ExitCode == 0, create.Error);
        var id = create.Out.Trim();
        Assert.Equal(20, id.Length);
        Assert.Equal("Application 'hello' version 0 is ready.\n", create.Error);

        var update = await Amc("application", "update", "hello", TestPackage.Minimal().WriteZip(Path.Combine(daemon.Scratch, "v1.zip")));
        Assert.Equal((0, id + "\n", "Application 'hello' version 1 is ready.\n"), (update.ExitCode, update.Out, update.Error));

        Assert.Equal("Version 1 of 'hello' is published.\n", (await Amc("application", "publish", "hello", "1")).Out);
        Assert.Equal(0, (await Amc("wait", "hello", "-c", "published=true", "-t", "10s")).ExitCode);
        Assert.Equal(0, (await Amc("wait", id, "-c", "status=error", "-c", "status=ready", "-s", "version=1")).ExitCode);
        Assert.Equal("Version 1 of 'hello' is revoked.\n", (await Amc("application", "revoke", id, "1")).Out);

        var list = await Amc("application", "ls");
        var rows = list.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Matches(@"^\| ID\s+\| NAME\s+\| INSTANCE TYPE \| ADDONS \| TAGS\s+\| PUBLISHED \| STATUS \| LAST UPDATED\s+\|$", rows[1]);
        Assert.Matches($@"^\| {id} \| hello \| a2.3\s+\|\s+\| game,demo \| false\s+\| ready\s+\| \d{{4}}-\d\d-\d\dT\d\d:\d\d:\d\dZ \|$", rows[3]);

        var show = await Amc("application", "show", "hello");
        Assert.StartsWith($"id: {id}\nname: hello\nstatus: ready\ninstance_type: a2.3\n", show.Out, StringComparison.Ordinal);
        Assert.Contains("\npublished: false\nimmutable: false\narchitecture: amd64\n", show.Out, StringComparison.Ordinal);
        Assert.Contains("versions:\n- number: 0\n  status: ready\n", show.Out, StringComparison.Ordinal);
        Assert.Contains("- number: 1\n", show.Out, StringComparison.Ordinal);
        Assert.Contains("    version: \"1.0\"\n", show.Out, StringComparison.Ordinal);

        var json = JsonDocument.Parse((await Amc("application", "list", "--format", "json", "--filter", "name=hello")).Out);
        Assert.Equal(id, json.RootElement[0].GetProperty("id").GetString());
        Assert.Equal(2, json.RootElement[0].GetProperty("versions").GetArrayLength());
        Assert.Equal("ID,NAME,INSTANCE TYPE,ADDONS,TAGS,PUBLISHED,STATUS,LAST UPDATED", (await Amc("application", "list", "--format", "csv")).Out.Split('\n')[0]);

        var version = await Amc("application", "delete", "hello", "--version", "0", "--yes");
        Assert.Equal("Version 0 of 'hello' deleted.\n", version.Out);
        var last = await Amc("application", "delete", "hello", "--version", "1", "--yes");
        Assert.Equal(ExitCodes.Conflict, last.ExitCode);
        Assert.StartsWith("Error: Version 1 is the only version of 'hello'", last.Error, StringComparison.Ordinal);

        var deleted = await Amc("application", "delete", "hello", "--yes");
        Assert.Equal("Application 'hello' deleted.\n", deleted.Out);
        Assert.Equal(ExitCodes.NotFound, (await Amc("application", "show", "hello")).ExitCode);
    }

    [Theory]
    [InlineData("n\n", ExitCodes.Cancelled, "Nothing was deleted.")]
    [InlineData("", ExitCodes.Cancelled, "Error: no answer on standard input; nothing was deleted. Pass --yes to delete without asking.")]
    [InlineData("y\n", 0, "")]
    [InlineData("\n", 0, "")]
    public async Task Delete_asks_first_as_the_original_does(string answer, int exitCode, string said)
    {
        await using var daemon = await AmsTestDaemon.StartAsync(output);
        await Amc.RunAsync(daemon.DataDirectory, ["application", "create", TestPackage.Minimal().WriteZip(Path.Combine(daemon.Scratch, "p.zip"))]);

        var result = await Amc.RunAsync(daemon.DataDirectory, ["application", "delete", "hello"], stdin: answer);

        Assert.Equal(exitCode, result.ExitCode);
        Assert.StartsWith("The following application will be REMOVED:\n  - hello\nDo you want to continue? [Y/n]: ", result.Error, StringComparison.Ordinal);
        Assert.Contains(said, result.Error, StringComparison.Ordinal);
        var remaining = await Amc.RunAsync(daemon.DataDirectory, ["application", "list", "--format", "json"]);
        Assert.Equal(exitCode == 0 ? "[]\n" : "hello", exitCode == 0 ? remaining.Out : JsonDocument.Parse(remaining.Out).RootElement[0].GetProperty("name").GetString());
    }

    [Fact]
    public async Task Delete_all_removes_every_application()
    {
        await using var daemon = await AmsTestDaemon.StartAsync(output);
        await Amc.RunAsync(daemon.DataDirectory, ["application", "create", TestPackage.Minimal("one").WriteZip(Path.Combine(daemon.Scratch, "1.zip"))]);
        await Amc.RunAsync(daemon.DataDirectory, ["application", "create", TestPackage.Minimal("two").WriteTarBz2(Path.Combine(daemon.Scratch, "2.tar.bz2"))]);

        var result = await Amc.RunAsync(daemon.DataDirectory, ["application", "delete", "--all", "--yes"]);

        Assert.Equal((0, "Application 'one' deleted.\nApplication 'two' deleted.\n"), (result.ExitCode, result.Out));
    }

    [Fact]
    public async Task Bad_package_is_reported_in_one_sentence_and_nothing_is_created()
    {
        await using var daemon = await AmsTestDaemon.StartAsync(output);
        var path = TestPackage.Minimal().File("manifest.yaml", "name: hello\ncolour: blue\n").WriteTarGz(Path.Combine(daemon.Scratch, "bad.tar.gz"));

        var result = await Amc.RunAsync(daemon.DataDirectory, ["application", "create", path]);

        Assert.Equal(ExitCodes.InvalidInput, result.ExitCode);
        Assert.StartsWith("Error: manifest.yaml line 2: unknown key 'colour'; allowed keys are name, version,", result.Error, StringComparison.Ordinal);
        Assert.Single(result.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Equal("[]\n", (await Amc.RunAsync(daemon.DataDirectory, ["application", "list", "--format", "json"])).Out);
    }

    [Fact]
    public async Task A_directory_with_a_link_is_refused_with_the_entry_named()
    {
        await using var daemon = await AmsTestDaemon.StartAsync(output);
        var directory = TestPackage.Minimal().Link("extra-data/passwd", "/etc/passwd").WriteDirectory(Path.Combine(daemon.Scratch, "hello"));

        var result = await Amc.RunAsync(daemon.DataDirectory, ["application", "create", directory]);

        Assert.Equal(ExitCodes.InvalidInput, result.ExitCode);
        Assert.Equal("Error: hello: entry 'extra-data/passwd' is a link to '/etc/passwd'; packages may not contain links, put the file itself in the package.\n", result.Error);
    }

    [Theory]
    [InlineData("package.rar", ExitCodes.InvalidInput, "Error: package.rar is not a supported package type: give a directory or a .zip, .tar, .tar.gz or .tar.bz2 file.")]
    [InlineData("missing.zip", ExitCodes.InvalidInput, "does not exist; give a package directory or a .zip, .tar, .tar.gz or .tar.bz2 file.")]
    public async Task Unsupported_or_missing_package_files_are_refused_before_uploading(string file, int exitCode, string message)
    {
        await using var daemon = await AmsTestDaemon.StartAsync(output);
        var path = Path.Combine(daemon.Scratch, file);
        if (file.EndsWith(".rar", StringComparison.Ordinal))
        {
            await File.WriteAllTextAsync(path, "Rar!");
        }

        var result = await Amc.RunAsync(daemon.DataDirectory, ["application", "create", path]);

        Assert.Equal(exitCode, result.ExitCode);
        Assert.Contains(message, result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Unknown_applications_and_versions_exit_with_not_found()
    {
        await using var daemon = await AmsTestDaemon.StartAsync(output);
        await Amc.RunAsync(daemon.DataDirectory, ["application", "create", TestPackage.Minimal().WriteZip(Path.Combine(daemon.Scratch, "p.zip"))]);

        var update = await Amc.RunAsync(daemon.DataDirectory, ["application", "update", "ghost", Path.Combine(daemon.Scratch, "p.zip")]);
        var publish = await Amc.RunAsync(daemon.DataDirectory, ["application", "publish", "hello", "9"]);

        Assert.Equal((ExitCodes.NotFound, "Error: Application 'ghost' does not exist; see 'amc application list' for the ids and names.\n"), (update.ExitCode, update.Error));
        Assert.Equal((ExitCodes.NotFound, "Error: Application 'hello' has no version 9; its versions are 0.\n"), (publish.ExitCode, publish.Error));
    }

    [Fact]
    public async Task Wait_gives_up_after_the_timeout_and_says_what_it_saw()
    {
        await using var daemon = await AmsTestDaemon.StartAsync(output);
        await Amc.RunAsync(daemon.DataDirectory, ["application", "create", TestPackage.Minimal().WriteZip(Path.Combine(daemon.Scratch, "p.zip"))]);

        var result = await Amc.RunAsync(daemon.DataDirectory, ["wait", "hello", "-c", "published=true", "-t", "1s"]);

        Assert.Equal(ExitCodes.Conflict, result.ExitCode);
        Assert.Equal("Error: Gave up waiting for 'hello' to reach published=true after 1s: its status is ready, published false.\n", result.Error);
    }

    [Fact]
    public async Task Large_upload_prints_plain_progress_lines_when_not_on_a_terminal()
    {
        await using var daemon = await AmsTestDaemon.StartAsync(output);
        var path = TestPackage.Minimal().File("extra-data/noise.bin", System.Security.Cryptography.RandomNumberGenerator.GetBytes(8 * 1024 * 1024))
            .WriteZip(Path.Combine(daemon.Scratch, "big.zip"), System.IO.Compression.CompressionLevel.NoCompression);

        var result = await Amc.RunAsync(daemon.DataDirectory, ["application", "create", path]);

        Assert.Equal(0, result.ExitCode);
        var lines = result.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("Uploading big.zip: 10% (", lines[0][..24]);
        Assert.StartsWith("Uploading big.zip: 100% (8.0 of 8.0 MiB)", lines[^2], StringComparison.Ordinal);
        Assert.Equal("Application 'hello' version 0 is ready.", lines[^1]);
    }

    [Fact]
    public async Task A_directory_upload_moves_its_progress_inside_a_large_file()
    {
        await using var daemon = await AmsTestDaemon.StartAsync(output);
        // One file is nearly the whole package: progress counted per whole file would jump from 0 to 100 %.
        var directory = TestPackage.Minimal().File("extra-data/noise.bin", System.Security.Cryptography.RandomNumberGenerator.GetBytes(8 * 1024 * 1024))
            .WriteDirectory(Path.Combine(daemon.Scratch, "big"));

        var result = await Amc.RunAsync(daemon.DataDirectory, ["application", "create", directory]);

        Assert.Equal(0, result.ExitCode);
        var lines = result.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(["10%", "20%", "30%", "40%", "50%", "60%", "70%", "80%", "90%", "100%"], lines[..^1].Select(l => l.Split(' ')[2]));
        Assert.Equal("Application 'hello' version 0 is ready.", lines[^1]);
    }

    [Fact]
    public async Task Package_larger_than_the_daemon_accepts_is_refused_before_uploading()
    {
        await using var daemon = await AmsTestDaemon.StartAsync(output, maxPackageBytes: 2048);
        var path = TestPackage.Minimal().File("extra-data/noise.bin", System.Security.Cryptography.RandomNumberGenerator.GetBytes(10_000)).WriteZip(Path.Combine(daemon.Scratch, "p.zip"));

        var result = await Amc.RunAsync(daemon.DataDirectory, ["application", "create", path]);

        Assert.Equal(ExitCodes.InvalidInput, result.ExitCode);
        Assert.Contains("larger than this AMS's package size limit of 2048 bytes", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Large_upload_on_a_terminal_renders_a_progress_bar_with_bytes()
    {
        await using var daemon = await AmsTestDaemon.StartAsync(output);
        var path = TestPackage.Minimal().File("extra-data/noise.bin", System.Security.Cryptography.RandomNumberGenerator.GetBytes(8 * 1024 * 1024))
            .WriteZip(Path.Combine(daemon.Scratch, "big.zip"), System.IO.Compression.CompressionLevel.NoCompression);

        var result = await Amc.RunAsync(daemon.DataDirectory, ["application", "create", path], terminal: true);

        Assert.Equal(0, result.ExitCode);
        output.WriteLine(result.Error);
        Assert.Contains("Uploading big.zip", result.Error, StringComparison.Ordinal);
        Assert.Contains("100%", result.Error, StringComparison.Ordinal);
        Assert.Contains("8.0 MiB", result.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("Uploading big.zip: 10% (", result.Error, StringComparison.Ordinal);
    }
}
