namespace Aar.IO;

/// <summary>How the hot paths that store a stream (a registry upload, an AMS package, a client download) size their writes.</summary>
public static class FileWrites
{
    /// <summary>
    /// Bytes gathered from the network before they are hashed and written with one <c>write</c>. Network reads are
    /// small (Kestrel hands out 4 KiB, a TLS record is 16 KiB): hashing and writing each one costs a system call per
    /// read, about twice the CPU per GB. 256 KiB stays in the CPU's cache between the hash and the write; on the
    /// benchmark VM (Linux 6.18 with large folios, ext4) 128–512 KiB writes of 1 GiB took 0.25 s of system time
    /// where 1 MiB writes took 0.8 s and 4 MiB writes 3 s, when the page cache recycles its pages (docs/benchmarks.md,
    /// "End to end"; see <see cref="Writeback"/> for why it does).
    /// </summary>
    public const int BatchSize = 256 * 1024;
}
