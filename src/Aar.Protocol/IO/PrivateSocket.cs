namespace Aar.Protocol.IO;

/// <summary>
/// Creates a unix socket without a moment of wider permissions. bind(2) makes the socket file with 0777 minus the
/// process umask (0775 or 0777 under a permissive umask: anyone could connect until a later chmod), and the umask
/// is process-wide, so changing it around the bind would race with every other thread creating files. Instead the
/// socket is bound inside a fresh 0700 directory that only the owner can enter, given its final mode there, and
/// renamed into place (rename(2) moves the bound socket; listeners keep accepting on it).
/// </summary>
public static class PrivateSocket
{
    /// <summary>The private directory next to the final socket; its name counts against the socket path length.</summary>
    public const string BindDirectoryName = ".bind";

    /// <summary>Where to bind: <c>&lt;dir&gt;/.bind/&lt;name&gt;</c>, after (re)creating <c>.bind</c> empty with mode 0700.</summary>
    public static string Prepare(string socketPath)
    {
        var directory = Path.Combine(Path.GetDirectoryName(socketPath)!, BindDirectoryName);
        if (Directory.Exists(directory))
        {
            // Left by a killed daemon; the caller holds the data directory lock, so no live daemon uses it.
            Directory.Delete(directory, recursive: true);
        }

        Directory.CreateDirectory(directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        return Path.Combine(directory, Path.GetFileName(socketPath));
    }

    /// <summary>Gives the bound socket <paramref name="mode"/> and moves it to <paramref name="socketPath"/>.</summary>
    public static void Publish(string bindPath, string socketPath, UnixFileMode mode)
    {
        File.SetUnixFileMode(bindPath, mode);
        File.Move(bindPath, socketPath, overwrite: true);
        Directory.Delete(Path.GetDirectoryName(bindPath)!);
    }
}
