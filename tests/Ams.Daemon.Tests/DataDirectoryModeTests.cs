using TestSupport;
using Xunit.Abstractions;

namespace Ams.Daemon.Tests;

/// <summary>The AMS data directory gets its documented modes back at every start, and its socket has only 0660.</summary>
public sealed class DataDirectoryModeTests(ITestOutputHelper output)
{
    private const UnixFileMode Directory0750 = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupRead | UnixFileMode.GroupExecute;
    private const UnixFileMode Key = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    [Fact]
    public async Task Widened_directories_and_a_readable_key_get_their_modes_back_at_the_next_start()
    {
        await using var daemon = await AmsTestDaemon.StartAsync(output);
        var data = daemon.DataDirectory;
        string[] directories = [data, Path.Combine(data, "registry"), Path.Combine(data, "packages"), Path.Combine(data, "packages", "sha256"), Path.Combine(data, "packages", "staging")];
        var key = Path.Combine(data, "registry", "client.key");
        await daemon.StopAsync();
        foreach (var directory in directories)
        {
            File.SetUnixFileMode(directory, (UnixFileMode)0b111_111_111);
        }

        File.SetUnixFileMode(key, Key | UnixFileMode.GroupRead | UnixFileMode.OtherRead);

        await daemon.RestartAsync();

        Assert.All(directories, directory => Assert.Equal(Directory0750, File.GetUnixFileMode(directory)));
        Assert.Equal(Key, File.GetUnixFileMode(key));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.GroupWrite, File.GetUnixFileMode(daemon.Host.SocketPath));
        Assert.False(Directory.Exists(Path.Combine(data, ".bind")));
        using var client = daemon.Client();
        Assert.True((await client.ListApplicationsAsync()).Succeeded);
    }
}
