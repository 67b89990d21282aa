namespace TestSupport;

/// <summary>
/// A fresh directory per test under /tmp, deleted afterwards. Kept short on purpose: a unix socket path inside it
/// must stay under 108 bytes.
/// </summary>
public sealed class TempDirectory : IDisposable
{
    public TempDirectory(string prefix = "aar")
    {
        Path = System.IO.Path.Combine("/tmp", $"{prefix}-{Guid.NewGuid():N}"[..(prefix.Length + 13)]);
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    public string Combine(params string[] parts) => System.IO.Path.Combine([Path, .. parts]);

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
            // A process under test may still hold a file; the OS cleans /tmp eventually.
        }
        catch (UnauthorizedAccessException)
        {
            // A test that made a directory unreadable on purpose.
        }
    }
}
