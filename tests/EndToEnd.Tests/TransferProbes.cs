using System.Text.RegularExpressions;

namespace EndToEnd.Tests;

/// <summary>What crash and cut tests watch to interrupt a transfer at the right moment, and to check how it went on.</summary>
internal static partial class TransferProbes
{
    /// <summary>The largest file of <paramref name="directory"/> holding at least <paramref name="atLeast"/> bytes (a staged upload or download).</summary>
    public static FileInfo? LargestFile(string directory, long atLeast) =>
        Directory.Exists(directory)
            ? Directory.EnumerateFiles(directory).Select(f => new FileInfo(f)).Where(f => f.Exists && f.Length >= atLeast).OrderByDescending(f => f.Length).FirstOrDefault()
            : null;

    /// <summary>The registry's log line for a new upload session; group 1 is the session id.</summary>
    [GeneratedRegex(@"Upload ([0-9a-f]{32}) started by ")]
    public static partial Regex UploadStarted();
}
