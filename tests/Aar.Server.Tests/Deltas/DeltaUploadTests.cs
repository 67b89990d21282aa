using Aar.Protocol.Registry;
using Aar.Server.Deltas;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;
using static Aar.Server.Tests.Deltas.DeltaPackages;

namespace Aar.Server.Tests.Deltas;

/// <summary>
/// Version N+1 uploaded by difference from version N over real mTLS: only what changed travels, the registry
/// assembles the rest from stored chunks and the blob appears only once its SHA-256 is verified. Runs on S3 too.
/// </summary>
public sealed class DeltaUploadTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Changed_zip_entries_send_little_more_than_the_changed_entries()
    {
        await using var registry = await StorageRegistry.StartAsync(output);
        var entries = new Dictionary<string, byte[]>
        {
            ["classes.dex"] = Random(512 * 1024, 1),
            ["lib/arm64-v8a/libgame.so"] = Random(4 * 1024 * 1024, 2),
            ["assets/level1.bin"] = Random(6 * 1024 * 1024, 3),
            ["resources.arsc"] = Random(1024 * 1024, 4),
        };
        var old = Zip(entries);
        var changedAsset = (byte[])entries["assets/level1.bin"].Clone();
        Random(64 * 1024, 5).CopyTo(changedAsset, 3 * 1024 * 1024);
        var next = Zip(new Dictionary<string, byte[]>(entries) { ["classes.dex"] = Random(512 * 1024, 6), ["assets/level1.bin"] = changedAsset });

        var outcome = await UploadNextAsync(registry, old, next);

        // About 512 KiB of dex and 64 KiB of asset changed (plus the zip's central directory); a chunk is 64 KiB on average.
        Assert.True(outcome.Delta);
        Assert.InRange(outcome.SentBytes, 576 * 1024, 1536 * 1024);
        Assert.Equal(next.Length, outcome.SentBytes + outcome.ReusedBytes);
    }

    [Fact]
    public async Task An_insertion_near_the_start_shifts_every_offset_and_still_sends_only_around_it()
    {
        await using var registry = await StorageRegistry.StartAsync(output);
        var old = Random(16 * 1024 * 1024, 7);
        var next = old[..100].Concat(Random(1000, 8)).Concat(old[100..]).ToArray();

        var outcome = await UploadNextAsync(registry, old, next);

        Assert.True(outcome.Delta);
        // The insertion falls in the first chunk (at most 256 KiB); every later chunk is found at its old offset.
        Assert.InRange(outcome.SentBytes, 1000, 512 * 1024);
        Assert.Equal(next.Length, outcome.SentBytes + outcome.ReusedBytes);
    }

    [Fact]
    public async Task A_new_package_goes_whole()
    {
        await using var registry = await StorageRegistry.StartAsync(output);
        var outcome = await UploadNextAsync(registry, Random(8 * 1024 * 1024, 9), Random(8 * 1024 * 1024, 10));

        Assert.False(outcome.Delta);
        Assert.Equal(8 * 1024 * 1024, outcome.SentBytes);
        Assert.Equal(0, outcome.ReusedBytes);
    }

    [Fact]
    public async Task A_large_new_package_goes_whole_after_one_sample_lookup()
    {
        await using var registry = await StorageRegistry.StartAsync(output);
        var metrics = registry.Server.Host.Services.GetRequiredService<DeltaMetrics>();
        var sample = new DeltaPolicy { SampleChunks = 16 };

        (long Lookups, long Chunks) before = default;

        var outcome = await UploadNextAsync(registry, Random(8 * 1024 * 1024, 12), Random(8 * 1024 * 1024, 13), sample, () => before = (metrics.Lookups, metrics.LookupChunks));

        // About 110 chunks: the 16 sampled ones are all that was looked up, and nothing of them was held.
        Assert.False(outcome.Delta);
        Assert.Equal(8 * 1024 * 1024, outcome.SentBytes);
        Assert.Equal((1, 16), (metrics.Lookups - before.Lookups, metrics.LookupChunks - before.Chunks));
    }

    [Fact]
    public async Task A_sample_that_finds_held_chunks_goes_on_to_the_full_lookup()
    {
        await using var registry = await StorageRegistry.StartAsync(output);
        var metrics = registry.Server.Host.Services.GetRequiredService<DeltaMetrics>();
        var old = Random(8 * 1024 * 1024, 14);
        var next = (byte[])old.Clone();
        Random(256 * 1024, 15).CopyTo(next, 4 * 1024 * 1024);

        (long Lookups, long Chunks) before = default;

        var outcome = await UploadNextAsync(registry, old, next, new DeltaPolicy { SampleChunks = 16 }, () => before = (metrics.Lookups, metrics.LookupChunks));

        Assert.True(outcome.Delta);
        Assert.InRange(outcome.SentBytes, 256 * 1024, 1024 * 1024);
        Assert.Equal((2, 16 + DeltaPackages.Chunks(next).Count), (metrics.Lookups - before.Lookups, metrics.LookupChunks - before.Chunks));
    }

    [Theory]
    [InlineData(16, 1)]
    [InlineData(0, 32)]
    public async Task Scattered_small_edits_are_sent_as_one_blob_and_assembled_by_copies_alone(int stageSentFrom, int leastCopyRequests)
    {
        await using var registry = await StorageRegistry.StartAsync(output);
        var metrics = registry.Server.Host.Services.GetRequiredService<DeltaMetrics>();
        var old = Random(16 * 1024 * 1024, 16);
        // 31 insertions of 2 KiB, 512 KiB apart: each changes the chunk it falls in, so the pieces to send are many and small.
        var next = new List<byte>(old.Length + (31 * 2048));
        for (var i = 0; i < 32; i++)
        {
            next.AddRange(old.AsSpan(i * 512 * 1024, 512 * 1024).ToArray());
            if (i < 31)
            {
                next.AddRange(Random(2048, 100 + i));
            }
        }

        long before = 0;
        var outcome = await UploadNextAsync(registry, old, [.. next], new DeltaPolicy { StageSentFrom = stageSentFrom }, () => before = metrics.CopyRequests);

        Assert.True(outcome.Delta);
        Assert.Equal(next.Count, outcome.SentBytes + outcome.ReusedBytes);
        Assert.InRange(outcome.SentBytes, 31 * 2048, 31 * 600 * 1024);
        // Staged: one copy request assembles every run and piece; not staged: one request per run at least.
        var copies = metrics.CopyRequests - before;
        Assert.True(stageSentFrom > 0 ? copies == leastCopyRequests : copies >= leastCopyRequests, $"{copies} copy requests");
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Many_small_insertions_cost_their_own_bytes_once_the_fine_level_compares_inside_chunks(bool fine)
    {
        await using var registry = await StorageRegistry.StartAsync(output);
        var chunks = registry.Server.Host.Services.GetRequiredService<Aar.Server.Chunks.ChunkMetrics>();
        var old = Random(16 * 1024 * 1024, 17);
        // 16 insertions of 64 KiB, 1 MiB apart, plus one at the very start: each falls inside a 64 KiB chunk on average.
        var inserted = 0;
        var next = new List<byte>(old.Length + (17 * 65536));
        for (var i = 0; i < 16; i++)
        {
            var insertion = Random(65536, 200 + i);
            next.AddRange(insertion);
            inserted += insertion.Length;
            next.AddRange(old.AsSpan(i * 1024 * 1024, 1024 * 1024).ToArray());
        }

        var before = chunks.SignatureRequests;
        var outcome = await UploadNextAsync(registry, old, [.. next], new DeltaPolicy { FineChunks = fine });

        Assert.True(outcome.Delta);
        Assert.Equal(next.Count, outcome.SentBytes + outcome.ReusedBytes);
        output.WriteLine($"fine {fine}: sent {outcome.SentBytes} for {inserted} inserted ({(double)outcome.SentBytes / inserted:F2}x), overhead {outcome.OverheadBytes}");
        if (fine)
        {
            // Each edit costs its own bytes plus about two fine chunks (2.5 KiB on average), not the 64 KiB chunk it fell in.
            Assert.InRange(outcome.SentBytes, inserted, inserted * 1.15);
            Assert.True(chunks.SignatureRequests - before >= 1);
        }
        else
        {
            Assert.True(outcome.SentBytes > inserted * 1.5, $"{outcome.SentBytes} sent");
            Assert.Equal(before, chunks.SignatureRequests);
        }
    }

    [Fact]
    public async Task An_edit_in_place_sends_little_more_than_the_edited_bytes()
    {
        await using var registry = await StorageRegistry.StartAsync(output);
        var old = Random(8 * 1024 * 1024, 18);
        var next = (byte[])old.Clone();
        for (var i = 0; i < 8; i++)
        {
            Random(4096, 300 + i).CopyTo(next, (i * 1024 * 1024) + 12_345);
        }

        var outcome = await UploadNextAsync(registry, old, next);

        Assert.True(outcome.Delta);
        Assert.InRange(outcome.SentBytes, 8 * 4096, 8 * 4096 * 3);
    }

    [Fact]
    public async Task A_changed_end_is_compared_with_the_end_of_the_stored_blob()
    {
        await using var registry = await StorageRegistry.StartAsync(output);
        var old = Random(8 * 1024 * 1024, 19);
        // As a zip's central directory: a few bytes rewritten near the end, and the end grown a little.
        var next = old.Concat(Random(300, 20)).ToArray();
        Random(16, 21).CopyTo(next, old.Length - 2000);

        var outcome = await UploadNextAsync(registry, old, next);

        Assert.True(outcome.Delta);
        output.WriteLine($"sent {outcome.SentBytes}, overhead {outcome.OverheadBytes}");
        // The last 64 KiB chunk (on average; up to 256 KiB) would go whole without the sizes the lookup answers.
        Assert.InRange(outcome.SentBytes, 316, 24 * 1024);
    }

    [Fact]
    public async Task A_small_package_goes_whole_without_a_lookup()
    {
        await using var registry = await StorageRegistry.StartAsync(output);
        var old = Random(1024 * 1024, 11);
        var next = (byte[])old.Clone();
        next[500_000] ^= 1;

        var outcome = await UploadNextAsync(registry, old, next);

        Assert.False(outcome.Delta);
        Assert.Equal(next.Length, outcome.SentBytes);
    }

    /// <summary>Uploads <paramref name="old"/> whole, waits until its chunks are recorded, then <paramref name="next"/> by difference; checks the stored bytes.</summary>
    internal static async Task<UploadOutcome> UploadNextAsync(StorageRegistry registry, byte[] old, byte[] next, DeltaPolicy? policy = null, Action? beforeDelta = null)
    {
        using var client = registry.Typed();
        var first = await client.UploadBlobAsync(new MemoryStream(old), BlobDigest.Of(old), old.Length);
        Assert.True(first.Succeeded, first.Problem?.Detail);
        await WaitRecordedAsync(registry.Http, old);
        beforeDelta?.Invoke();

        var digest = BlobDigest.Of(next);
        var result = await client.UploadDeltaAsync(new MemoryStream(next), digest, next.Length, DeltaPackages.Chunks(next), policy);
        Assert.True(result.Succeeded, result.Problem?.Detail);
        Assert.Equal(digest.ToString(), result.Value!.Blob.Digest);
        Assert.Equal(next, await registry.ReadStoredAsync(new TestBlob(next, digest)));
        Assert.Equal(0, await registry.SessionRowsAsync());
        return result.Value;
    }
}
