using Aar.IO;

namespace Aar.Server.Uploads;

/// <summary>
/// Where partial uploads live: <c>&lt;data&gt;/uploads/&lt;id&gt;</c>, on the same file system as the blobs so
/// that finishing an upload is a rename. Ids are 32 lower-case hex characters; nothing else becomes a path.
/// </summary>
internal sealed class UploadArea
{
    private readonly string _root;

    public UploadArea(string root)
    {
        _root = root;
        DurableDirectory.Create(root);
    }

    public static bool IsValidId(string id) =>
        id.Length == 32 && id.All(c => char.IsAsciiDigit(c) || c is >= 'a' and <= 'f');

    public string PathOf(string id) => IsValidId(id)
        ? Path.Combine(_root, id)
        : throw new ArgumentException($"'{id}' is not an upload id.", nameof(id));

    public long SizeOf(string id)
    {
        var info = new FileInfo(PathOf(id));
        return info.Exists ? info.Length : 0;
    }

    public void Delete(string id) => File.Delete(PathOf(id));

    /// <summary>Deletes partial files that no session row names (left by a crash between the two); returns how many.</summary>
    public int DeleteOrphans(IReadOnlySet<string> knownIds)
    {
        var count = 0;
        foreach (var file in Directory.EnumerateFiles(_root))
        {
            if (!knownIds.Contains(Path.GetFileName(file)))
            {
                File.Delete(file);
                count++;
            }
        }

        return count;
    }
}
