using Aar.IO;
using TestSupport;

namespace Aar.Protocol.Tests;

public sealed class DurableDirectoryTests
{
    [Fact]
    public void Create_makes_every_missing_directory_with_the_mode_and_says_so()
    {
        using var temp = new TempDirectory();
        var nested = temp.Combine("sha256", "ab");
        const UnixFileMode mode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;

        Assert.True(DurableDirectory.Create(nested, mode));

        Assert.True(Directory.Exists(nested));
        Assert.Equal(mode, File.GetUnixFileMode(nested));
        Assert.Equal(mode, File.GetUnixFileMode(temp.Combine("sha256")));
        Assert.False(DurableDirectory.Create(nested, mode));
    }

    [Fact]
    public void Flush_of_a_directory_that_is_not_there_fails_with_the_errno()
    {
        using var temp = new TempDirectory();

        var error = Assert.Throws<IOException>(() => DurableDirectory.Flush(temp.Combine("missing")));

        Assert.Contains("errno 2", error.Message, StringComparison.Ordinal); // ENOENT: the directory really was opened by path
    }

    [Fact]
    public void Move_renames_over_an_existing_file_and_leaves_no_source()
    {
        using var temp = new TempDirectory();
        File.WriteAllText(temp.Combine("new.tmp"), "new");
        File.WriteAllText(temp.Combine("key.pem"), "old");

        DurableDirectory.Move(temp.Combine("new.tmp"), temp.Combine("key.pem"), overwrite: true);

        Assert.Equal("new", File.ReadAllText(temp.Combine("key.pem")));
        Assert.False(File.Exists(temp.Combine("new.tmp")));
    }
}
