using System.Diagnostics;
using TestSupport;

namespace Aar.Cli.Tests;

/// <summary>
/// The modes of a real <c>aar serve</c>'s data directory: the admin socket is never seen with any mode but 0660, even
/// under a permissive umask (a tight loop of stat calls watches it being created), and directories and the key get
/// their documented modes back at the next start after someone widened them.
/// </summary>
public sealed class DataDirectoryModeTests
{
    private const UnixFileMode Socket = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.GroupWrite;
    private const UnixFileMode Directory0750 = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupRead | UnixFileMode.GroupExecute;
    private const UnixFileMode Key = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    private const UnixFileMode Everyone = (UnixFileMode)0b111_111_111;

    [Fact]
    public async Task The_socket_is_never_seen_wider_than_0660_even_under_umask_000()
    {
        using var temp = new TempDirectory();
        var data = temp.Combine("data");
        var socket = Path.Combine(data, "unix.socket");
        var seen = new HashSet<UnixFileMode>();
        var stopwatch = Stopwatch.StartNew();
        using var server = ChildProcess.StartWithUmask("000", "aar", "serve", "--data-dir", data, "--listen", $"127.0.0.1:{AarProcess.FreePort()}");
        while (stopwatch.Elapsed < TimeSpan.FromSeconds(60) && !server.Stderr.Contains("Registry listening on", StringComparison.Ordinal))
        {
            try
            {
                seen.Add(File.GetUnixFileMode(socket));
            }
            catch (FileNotFoundException)
            {
            }
            catch (DirectoryNotFoundException)
            {
            }
        }

        var result = await AarProcess.RunAsync(null, "trust", "list", "--data-dir", data);
        server.Signal(AarProcess.SigTerm);
        await server.WaitForExitAsync(TimeSpan.FromSeconds(30));

        Assert.Contains("Registry listening on", server.Stderr, StringComparison.Ordinal);
        Assert.Equal(0, result.ExitCode);
        Assert.All(seen, mode => Assert.Equal(Socket, mode));
        Assert.False(System.IO.Directory.Exists(Path.Combine(data, ".bind")), "the private bind directory is gone once the socket is in place");
        Assert.Equal(Directory0750, File.GetUnixFileMode(data));
    }

    [Fact]
    public async Task Widened_directories_and_a_readable_key_get_their_modes_back_at_the_next_start()
    {
        using var temp = new TempDirectory();
        var data = temp.Combine("data");
        var port = AarProcess.FreePort();
        using (var first = AarProcess.Start("serve", "--data-dir", data, "--listen", $"127.0.0.1:{port}"))
        {
            await first.WaitUntilReadyAsync(Path.Combine(data, "unix.socket"), TimeSpan.FromSeconds(30));
            first.Signal(AarProcess.SigTerm);
            Assert.Equal(0, await first.WaitForExitAsync(TimeSpan.FromSeconds(30)));
        }

        string[] directories = [data, Path.Combine(data, "certs"), Path.Combine(data, "blobs"), Path.Combine(data, "blobs", "sha256"), Path.Combine(data, "uploads")];
        foreach (var directory in directories)
        {
            File.SetUnixFileMode(directory, Everyone);
        }

        var key = Path.Combine(data, "certs", "server.key");
        File.SetUnixFileMode(key, Key | UnixFileMode.GroupRead | UnixFileMode.OtherRead);

        using (var second = AarProcess.Start("serve", "--data-dir", data, "--listen", $"127.0.0.1:{port}"))
        {
            await second.WaitUntilReadyAsync(Path.Combine(data, "unix.socket"), TimeSpan.FromSeconds(30));
            second.Signal(AarProcess.SigTerm);
            Assert.Equal(0, await second.WaitForExitAsync(TimeSpan.FromSeconds(30)));
            Assert.DoesNotContain("is readable by other users", second.Stderr, StringComparison.Ordinal);
        }

        Assert.All(directories, directory => Assert.Equal(Directory0750, File.GetUnixFileMode(directory)));
        Assert.Equal(Key, File.GetUnixFileMode(key));
    }
}
