using TestSupport;

namespace EndToEnd.Tests;

/// <summary>Application packages written at run time into an AMS host's working directory.</summary>
internal static class Packages
{
    /// <summary>A small valid package directory for <paramref name="name"/>; <paramref name="marker"/> makes its bytes unique.</summary>
    public static string Small(AmsNode ams, string name, string marker = "") =>
        TestPackage.Minimal(name).File("extra-data/notes.txt", $"{name} {marker} {Guid.NewGuid()}").WriteDirectory(Path.Combine(ams.Home, $"{name}-{Guid.NewGuid():N}"[..(name.Length + 9)]));

    /// <summary>
    /// A valid package directory whose bulk is <paramref name="mebibytes"/> MiB of random extra-data, written in 1 MiB
    /// pieces (never held in memory), so transfers take long enough to be interrupted.
    /// </summary>
    public static string Large(AmsNode ams, string name, int mebibytes)
    {
        var directory = TestPackage.Minimal(name).WriteDirectory(Path.Combine(ams.Home, name));
        Directory.CreateDirectory(Path.Combine(directory, "extra-data"));
        var buffer = new byte[1 << 20];
        using var file = File.Create(Path.Combine(directory, "extra-data", "data.obb"));
        for (var i = 0; i < mebibytes; i++)
        {
            Random.Shared.NextBytes(buffer);
            file.Write(buffer);
        }

        return directory;
    }
}
