namespace Aar.IO;

/// <summary>
/// The modes a daemon's data directory promises (docs: directories 0750, private keys 0600, socket 0660), set at
/// every start rather than only on creation: a restored backup, a `cp -r` or an operator's chmod would otherwise
/// leave a key readable by others or a directory open until the files were made again.
/// </summary>
public static class FileModes
{
    public const UnixFileMode Directory =
        UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute |
        UnixFileMode.GroupRead | UnixFileMode.GroupExecute;

    public const UnixFileMode PrivateKey = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    public const UnixFileMode Socket = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.GroupWrite;

    /// <summary>Sets <paramref name="mode"/> on <paramref name="path"/> if it exists and differs; false when nothing changed.</summary>
    /// <exception cref="UnauthorizedAccessException">The path belongs to another user (only its owner may chmod it).</exception>
    public static bool Enforce(string path, UnixFileMode mode)
    {
        if (!File.Exists(path) && !System.IO.Directory.Exists(path))
        {
            return false;
        }

        if (File.GetUnixFileMode(path) == mode)
        {
            return false;
        }

        File.SetUnixFileMode(path, mode);
        return true;
    }
}
