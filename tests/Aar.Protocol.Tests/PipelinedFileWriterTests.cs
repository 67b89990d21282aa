using System.Security.Cryptography;
using Aar.IO;

namespace Aar.Protocol.Tests;

public sealed class PipelinedFileWriterTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("aar-writer-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Theory]
    [InlineData(0, true)]
    [InlineData(0, false)]
    [InlineData(12_345, true)]
    public async Task Stores_every_batch_at_its_offset_and_hashes_exactly_the_bytes_written(long start, bool dropBehind)
    {
        // Over 20 MiB in uneven batches: several writeback windows (and drops), and a last batch that is not full.
        var data = RandomNumberGenerator.GetBytes(20 * 1024 * 1024 + 777);
        var path = Path.Combine(_directory, "file");
        var prefix = RandomNumberGenerator.GetBytes((int)start);
        await File.WriteAllBytesAsync(path, prefix);
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);

        using (var handle = File.OpenHandle(path, FileMode.Open, FileAccess.Write))
        {
            await using var writer = new PipelinedFileWriter(handle, start, span => hash.AppendData(span), dropBehind);
            var sizes = new[] { FileWrites.BatchSize, 1, 4096, FileWrites.BatchSize - 1 };
            var offset = 0;
            for (var i = 0; offset < data.Length; i++)
            {
                var count = Math.Min(sizes[i % sizes.Length], data.Length - offset);
                data.AsSpan(offset, count).CopyTo(writer.Buffer.Span);
                await writer.SubmitAsync(count);
                offset += count;
                Assert.Equal(start + offset, writer.SubmittedOffset);
            }

            await writer.CompleteAsync();
        }

        var stored = await File.ReadAllBytesAsync(path);
        Assert.Equal(SHA256.HashData(data), hash.GetHashAndReset());
        Assert.Equal(prefix.Concat(data).ToArray(), stored);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_failed_write_surfaces_from_CompleteAsync_or_the_next_SubmitAsync(bool submitAgain)
    {
        var path = Path.Combine(_directory, "read-only");
        await File.WriteAllBytesAsync(path, [1, 2, 3]);
        using var handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read);
        await using var writer = new PipelinedFileWriter(handle, 0, _ => { });

        await writer.SubmitAsync(16);

        await Assert.ThrowsAsync<UnauthorizedAccessException>(() => submitAgain ? writer.SubmitAsync(16) : writer.CompleteAsync());
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(FileWrites.BatchSize + 1)]
    public async Task A_count_outside_the_buffer_is_refused(int count)
    {
        using var handle = File.OpenHandle(Path.Combine(_directory, "f"), FileMode.Create, FileAccess.Write);
        await using var writer = new PipelinedFileWriter(handle, 0, _ => { });

        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => writer.SubmitAsync(count));
    }
}
