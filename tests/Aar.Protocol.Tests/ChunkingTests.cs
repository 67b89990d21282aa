using System.Security.Cryptography;
using Aar.Protocol.Chunking;
using Aar.Protocol.Registry;
using CsCheck;
using TestSupport;

namespace Aar.Protocol.Tests;

public sealed class ChunkingTests
{
    // Small sizes keep each case at a few hundred chunks; the defaults are covered by DefaultParameters below.
    private static readonly ChunkParameters Small = new(1024, 4096, 16 * 1024);

    private static ChunkIndex IndexOf(byte[] data, ChunkParameters parameters, IEnumerable<int>? pieces = null)
    {
        using var builder = new ChunkIndexBuilder(parameters);
        var offset = 0;
        foreach (var piece in pieces ?? [])
        {
            var take = Math.Min(piece, data.Length - offset);
            builder.Append(data.AsSpan(offset, take));
            offset += take;
        }

        builder.Append(data.AsSpan(offset));
        return builder.Complete();
    }

    private static byte[] Random(int length, int seed)
    {
        var bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

    private static (int Length, ChunkHash Hash)[] Entries(ChunkIndex index) => [.. index.Chunks().Select(c => (c.Length, c.Hash))];

    [Fact]
    public void Boundaries_are_a_function_of_the_content_not_of_how_it_arrives()
    {
        var gen = Gen.Select(Gen.Int[0, 300_000], Gen.Int[0, 1000], Gen.Int[1, 70_000].Array[1, 40]);
        PropertyCheck.ForAll(gen, 60, t =>
        {
            var data = Random(t.Item1, t.Item2);
            var whole = IndexOf(data, Small);
            var pieces = IndexOf(data, Small, t.Item3);
            Assert.Equal(Entries(whole), Entries(pieces));
            Assert.Equal(BlobDigest.Of(data), pieces.Digest);
            Assert.Equal(data.LongLength, pieces.Length);
            for (var i = 0; i < whole.Count; i++)
            {
                Assert.InRange(whole.LengthOf(i), i == whole.Count - 1 ? 1 : Small.Min, Small.Max);
                Assert.Equal(ChunkHash.Of(data.AsSpan((int)whole.OffsetOf(i), whole.LengthOf(i))), whole.HashOf(i));
            }
        });
    }

    [Fact]
    public void An_insertion_changes_only_the_chunks_near_it()
    {
        var gen = Gen.Select(Gen.Int[0, 1000], Gen.Int[0, 400_000], Gen.Int[1, 200]);
        var total = 0;
        PropertyCheck.ForAll(gen, 60, t =>
        {
            var data = Random(400_000, t.Item1);
            var inserted = data[..t.Item2].Concat(Random(t.Item3, t.Item1 + 1)).Concat(data[t.Item2..]).ToArray();
            var before = IndexOf(data, Small);
            var after = IndexOf(inserted, Small);
            var known = before.Chunks().Select(c => c.Hash).ToHashSet();
            var changed = after.Chunks().Where(c => !known.Contains(c.Hash)).ToList();
            // Chunks ending before the insertion are untouched; after it the chunker falls back in step within a
            // chunk or two (the minimum-size skip can carry it a few more), so only the chunks around it are new.
            Assert.All(after.Chunks().Where(c => c.Offset + c.Length <= t.Item2), c => Assert.Contains(c.Hash, known));
            Assert.True(changed.Count <= 6, $"{changed.Count} chunks changed for {t.Item3} bytes inserted at {t.Item2}");
            total += changed.Count;
        });
        Assert.True(total <= 2 * 60, $"{total} chunks changed over 60 insertions");
    }

    [Fact]
    public void Default_parameters_cut_near_the_average_and_within_bounds()
    {
        var data = Random(16 << 20, 7);
        var index = IndexOf(data, ChunkParameters.Default);
        var mean = (double)index.Length / index.Count;
        Assert.InRange(mean, 40 * 1024, 96 * 1024);
        Assert.All(index.Chunks().SkipLast(1), c => Assert.InRange(c.Length, ChunkParameters.Default.Min, ChunkParameters.Default.Max));
    }

    [Fact]
    public void Empty_content_has_no_chunks()
    {
        var index = IndexOf([], Small);
        Assert.Equal(0, index.Count);
        Assert.Equal(BlobDigest.Of([]), index.Digest);
        Assert.Equal(0, ChunkIndexWire.Parse(ChunkIndexWire.Serialize(index), ChunkIndexLimits.Default).Count);
    }

    [Fact]
    public async Task The_wire_form_round_trips()
    {
        var gen = Gen.Select(Gen.Int[0, 200_000], Gen.Int[0, 1000]);
        await PropertyCheck.ForAllAsync(gen, 40, async t =>
        {
            var index = IndexOf(Random(t.Item1, t.Item2), Small);
            var bytes = ChunkIndexWire.Serialize(index);
            Assert.Equal(ChunkIndexWire.SizeOf(index.Count), bytes.Length);
            foreach (var parsed in new[] { ChunkIndexWire.Parse(bytes, ChunkIndexLimits.Default), await ChunkIndexWire.ReadAsync(new MemoryStream(bytes), ChunkIndexLimits.Default) })
            {
                Assert.Equal(index.Parameters, parsed.Parameters);
                Assert.Equal(index.Digest, parsed.Digest);
                Assert.Equal(index.Length, parsed.Length);
                Assert.Equal(Entries(index), Entries(parsed));
            }
        });
    }

    [Fact]
    public void The_parser_refuses_any_changed_cut_or_extended_index()
    {
        var bytes = ChunkIndexWire.Serialize(IndexOf(Random(100_000, 3), Small));
        var gen = Gen.Select(Gen.Int[0, bytes.Length - 1], Gen.Byte[1, 255], Gen.Int[0, 2]);
        PropertyCheck.ForAll(gen, 2000, t =>
        {
            var mutated = t.Item3 switch
            {
                0 => Flip(bytes, t.Item1, t.Item2),
                1 => bytes[..t.Item1],
                _ => [.. bytes, .. new byte[t.Item2]],
            };
            var error = Assert.Throws<ChunkIndexFormatException>(() => ChunkIndexWire.Parse(mutated, ChunkIndexLimits.Default));
            Assert.EndsWith(".", error.Message);
            Assert.ThrowsAsync<ChunkIndexFormatException>(() => ChunkIndexWire.ReadAsync(new MemoryStream(mutated), ChunkIndexLimits.Default)).GetAwaiter().GetResult();
        });
    }

    [Fact]
    public void The_parser_refuses_garbage()
    {
        PropertyCheck.ForAll(Gen.Byte.Array[0, 400], 2000, garbage =>
            Assert.Throws<ChunkIndexFormatException>(() => ChunkIndexWire.Parse(garbage, ChunkIndexLimits.Default)));
    }

    [Fact]
    public async Task A_huge_count_is_refused_from_the_header_before_anything_is_read_for_it()
    {
        var bytes = ChunkIndexWire.Serialize(IndexOf(Random(100_000, 3), Small));
        var header = bytes[..ChunkIndexWire.HeaderSize];
        BitConverter.TryWriteBytes(header.AsSpan(20), int.MaxValue);
        BitConverter.TryWriteBytes(header.AsSpan(24), 1L << 40);
        var error = await Assert.ThrowsAsync<ChunkIndexFormatException>(() => ChunkIndexWire.ReadAsync(new MemoryStream(header), ChunkIndexLimits.Default));
        Assert.Contains("announces 2147483647 chunks", error.Message, StringComparison.Ordinal);

        // Lengths that do not add up, with a valid checksum (a peer that lies carefully).
        var lying = (byte[])bytes.Clone();
        BitConverter.TryWriteBytes(lying.AsSpan(24), 99_999L);
        SHA256.HashData(lying.AsSpan(0, lying.Length - 32), lying.AsSpan(lying.Length - 32));
        Assert.Contains("add up to 100000", Assert.Throws<ChunkIndexFormatException>(() => ChunkIndexWire.Parse(lying, ChunkIndexLimits.Default)).Message, StringComparison.Ordinal);
    }

    private static byte[] Flip(byte[] bytes, int at, byte with)
    {
        var copy = (byte[])bytes.Clone();
        copy[at] ^= with;
        return copy;
    }
}
