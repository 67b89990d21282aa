using Aar.Protocol.Chunking;
using Ams.Daemon.Storage;
using TestSupport;

namespace Ams.Daemon.Tests;

/// <summary>The chunk index kept beside each stored package: computed while an upload streams in, or on first use.</summary>
public sealed class PackageChunkIndexTests : IDisposable
{
    private readonly TempDirectory _root = new();
    private readonly PackageStore _store;

    public PackageChunkIndexTests()
    {
        Directory.CreateDirectory(Path.Combine(_root.Path, "sha256"));
        Directory.CreateDirectory(Path.Combine(_root.Path, "staging"));
        _store = new PackageStore(new StorageOptions(Path.Combine(_root.Path, "sha256"), Path.Combine(_root.Path, "staging")));
    }

    [Fact]
    public async Task An_upload_is_indexed_as_it_streams_and_the_index_is_kept_and_deleted_with_the_package()
    {
        var bytes = new byte[900_000];
        new Random(5).NextBytes(bytes);
        var staged = (await _store.ReceiveAsync(new MemoryStream(bytes), long.MaxValue, "p", CancellationToken.None)).Value!;
        var expected = await ChunkIndexBuilder.ComputeAsync(new MemoryStream(bytes), ChunkParameters.Default);
        Assert.Equal(expected.Digest.Hex, staged.Sha256);
        Assert.Equal(expected.Chunks(), staged.Index!.Chunks());

        _store.Commit(staged);

        Assert.True(File.Exists(_store.ChunkIndexPath(staged.Sha256)));
        Assert.Equal(expected.Chunks(), (await _store.GetChunkIndexAsync(staged.Sha256, CancellationToken.None))!.Chunks());
        _store.Delete(staged.Sha256);
        Assert.False(File.Exists(_store.ChunkIndexPath(staged.Sha256)));
    }

    [Fact]
    public async Task A_package_without_an_index_gets_one_on_first_use_and_a_damaged_one_is_replaced()
    {
        var bytes = new byte[300_000];
        new Random(6).NextBytes(bytes);
        var staged = (await _store.ReceiveAsync(new MemoryStream(bytes), long.MaxValue, "p", CancellationToken.None)).Value!;
        _store.Commit(staged with { Index = null });
        Assert.False(File.Exists(_store.ChunkIndexPath(staged.Sha256)));

        var first = await _store.GetChunkIndexAsync(staged.Sha256, CancellationToken.None);
        Assert.Equal(staged.Index!.Chunks(), first!.Chunks());
        Assert.True(File.Exists(_store.ChunkIndexPath(staged.Sha256)));

        await File.WriteAllBytesAsync(_store.ChunkIndexPath(staged.Sha256), [1, 2, 3]);
        Assert.Equal(staged.Index.Chunks(), (await _store.GetChunkIndexAsync(staged.Sha256, CancellationToken.None))!.Chunks());
        Assert.Null(await _store.GetChunkIndexAsync(new string('0', 64), CancellationToken.None));
    }

    public void Dispose() => _root.Dispose();
}
