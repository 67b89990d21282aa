using System.Text.Json.Nodes;
using Aar.Cli.Common;
using Aar.Cli.Serve;
using TestSupport;

namespace Aar.Cli.Tests;

/// <summary>
/// The packaged <c>aar</c> is a native admin CLI whose <c>serve</c> and <c>migrate</c> become the server build in
/// <c>server/</c> beside it. These tests run the real <c>aar</c> with the same switch turned off (its
/// runtimeconfig) next to a stub server that reports what it was given, so they check the hand-over itself: the
/// same process, the same arguments, and no hand-over for the admin commands.
/// </summary>
public sealed class ServerProcessTests : IDisposable
{
    private readonly TempDirectory _layout = new("aarx");

    public ServerProcessTests()
    {
        foreach (var entry in new DirectoryInfo(AppContext.BaseDirectory).EnumerateFileSystemInfos())
        {
            var target = _layout.Combine(entry.Name);
            if (entry.Name is "aar" or "aar.dll")
            {
                // Copies, not links: the host looks for the runtimeconfig beside the application's real path.
                File.Copy(entry.FullName, target);
            }
            else if (entry.Name == "aar.runtimeconfig.json")
            {
                var config = JsonNode.Parse(File.ReadAllText(entry.FullName))!;
                config["runtimeOptions"]!["configProperties"]![ServerProcess.InProcessSwitch] = false;
                File.WriteAllText(target, config.ToJsonString());
            }
            else
            {
                File.CreateSymbolicLink(target, entry.FullName);
            }
        }
    }

    [Theory]
    [InlineData("serve", "--listen", "127.0.0.1:1", "--san", "two words")]
    [InlineData("migrate", "--database", "Host=db;Database=aar")]
    public async Task Serve_and_migrate_become_the_server_build_in_the_same_process_with_the_same_arguments(params string[] args)
    {
        WriteStubServer();
        using var aar = ChildProcess.Start(_layout.Combine("aar"), args);
        Assert.Equal(0, await aar.WaitForExitAsync(TimeSpan.FromSeconds(30)));

        var lines = aar.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal($"stub server pid {aar.Id}", lines[0]);
        Assert.Equal(args.Select(a => $"arg <{a}>"), lines[1..]);
    }

    [Fact]
    public async Task Admin_commands_stay_in_the_cli()
    {
        WriteStubServer();
        using var data = new TempDirectory();
        using var aar = ChildProcess.Start(_layout.Combine("aar"), "trust", "list", "--data-dir", data.Path);
        Assert.Equal(ExitCodes.Unreachable, await aar.WaitForExitAsync(TimeSpan.FromSeconds(30)));
        Assert.DoesNotContain("stub server", aar.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Without_the_server_build_serve_fails_with_one_sentence()
    {
        using var aar = ChildProcess.Start(_layout.Combine("aar"), "serve");
        Assert.Equal(1, await aar.WaitForExitAsync(TimeSpan.FromSeconds(30)));
        Assert.Equal($"aar serve: cannot start the registry server {_layout.Combine("server", "aar")}: No such file or directory", aar.Stderr.Trim());
    }

    public void Dispose() => _layout.Dispose();

    private void WriteStubServer()
    {
        Directory.CreateDirectory(_layout.Combine("server"));
        var stub = _layout.Combine("server", "aar");
        File.WriteAllText(stub, "#!/bin/sh\necho \"stub server pid $$\"\nfor a in \"$@\"; do echo \"arg <$a>\"; done\n");
        File.SetUnixFileMode(stub, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
    }
}
