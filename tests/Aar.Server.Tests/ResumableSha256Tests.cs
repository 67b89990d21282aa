using System.Security.Cryptography;
using Aar.Server.Storage.Hashing;

namespace Aar.Server.Tests;

/// <summary>The saved SHA-256 state must continue to exactly the digest a single pass gives, wherever it is cut.</summary>
public sealed class ResumableSha256Tests
{
    [Fact]
    public void Libcrypto_is_loadable_here()
    {
        // Debian 12 ships libcrypto.so.3; without it upload sessions fall back to re-hashing (and S3 ones do not survive a node).
        Assert.True(ResumableSha256.IsResumable);
    }

    [Fact]
    public void A_state_exported_and_imported_at_any_split_gives_the_same_digest()
    {
        var data = new byte[10_000];
        new Random(7).NextBytes(data);
        var splits = new[] { 0, 1, 55, 56, 63, 64, 65, 119, 127, 128, 129, 1000, 4095, 4096, 9_999, 10_000 }
            .Concat(Enumerable.Range(0, 40).Select(i => new Random(i).Next(0, data.Length)));
        foreach (var split in splits)
        {
            using var first = ResumableSha256.Create();
            first.Append(data.AsSpan(0, split));
            var state = first.ExportState();
            Assert.NotNull(state);

            using var second = ResumableSha256.Import(state, split);
            Assert.NotNull(second);
            second.Append(data.AsSpan(split));
            Assert.Equal(SHA256.HashData(data), second.Finish());
        }
    }

    [Fact]
    public void A_state_resumed_twice_in_a_chain_still_matches()
    {
        var data = new byte[3 * 1024 * 1024 + 17];
        new Random(3).NextBytes(data);
        var state = ResumableSha256.Create().ExportState()!;
        var offset = 0;
        foreach (var piece in new[] { 1_000_000, 1_048_576, 7, data.Length - 2_048_583 })
        {
            using var hash = ResumableSha256.Import(state, offset)!;
            hash.Append(data.AsSpan(offset, piece));
            offset += piece;
            state = hash.ExportState()!;
        }

        Assert.Equal(SHA256.HashData(data), ResumableSha256.Import(state, offset)!.Finish());
    }

    [Fact]
    public void Finishing_leaves_the_exported_state_usable_for_a_retry()
    {
        using var hash = ResumableSha256.Create();
        hash.Append("abc"u8);
        var state = hash.ExportState()!;
        Assert.Equal(SHA256.HashData("abc"u8), hash.Finish());
        Assert.Equal(SHA256.HashData("abc"u8), ResumableSha256.Import(state, 3)!.Finish());
    }

    [Fact]
    public void A_state_for_another_offset_or_format_is_refused()
    {
        using var hash = ResumableSha256.Create();
        hash.Append(new byte[100]);
        var state = hash.ExportState()!;

        Assert.Null(ResumableSha256.Import(state, 99));
        Assert.Null(ResumableSha256.Import(state.AsSpan(1), 100));
        var other = (byte[])state.Clone();
        other[0] ^= 1;
        Assert.Null(ResumableSha256.Import(other, 100));
    }
}
