namespace Ams.Daemon.Packages;

internal enum PackageFormat
{
    Unknown,
    Zip,
    TarGzip,
    TarBzip2,

    /// <summary>Uncompressed tar: what amc streams for a directory (compressing on a local socket only costs CPU).</summary>
    Tar,
}

/// <summary>Recognises a package by its first bytes, not its name: an upload has no trustworthy name.</summary>
internal static class PackageFormats
{
    /// <summary>Enough to see a tar header's "ustar" magic at offset 257.</summary>
    public const int MagicLength = 262;

    public static PackageFormat Detect(ReadOnlySpan<byte> head) => head switch
    {
        [0x50, 0x4B, 0x03, 0x04, ..] or [0x50, 0x4B, 0x05, 0x06, ..] => PackageFormat.Zip,
        [0x1F, 0x8B, ..] => PackageFormat.TarGzip,
        [(byte)'B', (byte)'Z', (byte)'h', ..] => PackageFormat.TarBzip2,
        _ when head.Length >= MagicLength && head[257..262].SequenceEqual("ustar"u8) => PackageFormat.Tar,
        _ => PackageFormat.Unknown,
    };

    public const string Supported = "a .zip, .tar, .tar.gz or .tar.bz2 archive, or a directory";
}
