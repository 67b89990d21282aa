namespace Aar.Protocol.IO;

/// <summary>How the hot paths that store a stream (a registry upload, an AMS package, a client download) size their writes.</summary>
public static class FileWrites
{
    /// <summary>
    /// Bytes gathered from the network before they are hashed and written with one <c>write</c>. Network reads are
    /// small (Kestrel hands out 4 KiB, a TLS record is 16 KiB): hashing and writing each one costs a system call per
    /// read (about twice the CPU per GB). Writes much larger than this cost more again: writing 1 GiB into new
    /// page-cache pages took 0.25 s of system time in 128–512 KiB writes, 0.8 s in 1 MiB writes and 3 s in 4 MiB
    /// writes on the benchmark machine (Linux 6.18, ext4, 2 vCPU VM; docs/benchmarks.md, "End to end"), while the
    /// bytes are still in the CPU cache after hashing only when the batch is small.
    /// </summary>
    public const int BatchSize = 256 * 1024;
}
