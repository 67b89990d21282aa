using System.Globalization;
using System.Runtime.InteropServices;

namespace Aar.Hosting;

/// <summary>
/// Whether stderr is connected to the systemd journal. systemd sets <c>JOURNAL_STREAM</c> to the device and inode of
/// the stream it gives a service, and documents comparing them with stderr's: the variable alone is inherited by
/// every child (a terminal started by a user service has it too), where a <c>&lt;N&gt;</c> prefix would only be noise.
/// </summary>
public static partial class SystemdJournal
{
    public const string Variable = "JOURNAL_STREAM";

    public static bool IsStandardError() =>
        Parse(Environment.GetEnvironmentVariable(Variable)) is { } journal && StandardErrorIdentity() == journal;

    /// <summary><c>device:inode</c>, both decimal, as systemd writes it; null when absent or malformed.</summary>
    public static (ulong Device, ulong Inode)? Parse(string? value)
    {
        var colon = value?.IndexOf(':', StringComparison.Ordinal) ?? -1;
        return colon > 0
            && ulong.TryParse(value.AsSpan(0, colon), NumberStyles.None, CultureInfo.InvariantCulture, out var device)
            && ulong.TryParse(value.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var inode)
            ? (device, inode)
            : null;
    }

    /// <summary>
    /// stderr's <c>st_dev</c> (as glibc's <c>makedev</c> packs it, which is what systemd prints) and <c>st_ino</c>.
    /// statx rather than fstat: its buffer has one layout on every architecture.
    /// </summary>
    private static (ulong Device, ulong Inode)? StandardErrorIdentity()
    {
        const int StandardError = 2, EmptyPath = 0x1000, InodeMask = 0x100;
        Span<byte> buffer = stackalloc byte[256];
        try
        {
            if (Statx(StandardError, "", EmptyPath, InodeMask, buffer) != 0)
            {
                return null;
            }
        }
        catch (Exception ex) when (ex is DllNotFoundException or EntryPointNotFoundException)
        {
            return null;
        }

        var inode = BitConverter.ToUInt64(buffer[32..]);
        ulong major = BitConverter.ToUInt32(buffer[136..]), minor = BitConverter.ToUInt32(buffer[140..]);
        var device = ((major & 0xfff) << 8) | ((major & 0xfffff000) << 32) | (minor & 0xff) | ((minor & 0xffffff00) << 12);
        return (device, inode);
    }

    [LibraryImport("libc", EntryPoint = "statx", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Statx(int directory, string path, int flags, uint mask, Span<byte> buffer);
}
