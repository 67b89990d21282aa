using System.Buffers.Binary;
using Aar.Protocol.Chunking;
using CsCheck;
using TestSupport;

namespace Aar.Protocol.Tests;

/// <summary>Fine chunk signatures: the same cuts as an index, one range at a time, and a wire reader that refuses what is not one.</summary>
public sealed class ChunkSignatureTests
{
    private static readonly ChunkParameters Fine = ChunkParameters.Fine;

    private static byte[] Random(int length, int seed)
    {
        var bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

    [Fact]
    public void A_signer_cuts_where_an_index_cuts_and_starts_over_at_each_range_end()
    {
        PropertyCheck.ForAll(Gen.Select(Gen.Int[0, 100_000], Gen.Int[0, 100_000], Gen.Int[0, 1000]), 40, t =>
        {
            var data = Random(t.Item1 + t.Item2, t.Item3);
            using (var builder = new ChunkIndexBuilder(Fine))
            {
                builder.Append(data);
                var index = builder.Complete();
                Assert.Equal(index.Chunks().Select(c => new ChunkSignature(c.Length, c.Hash)), ChunkSigner.Of(data, Fine));
            }

            // Two ranges through one signer, fed in odd pieces, are each chunked as if alone.
            using var signer = new ChunkSigner(Fine);
            foreach (var piece in data.AsSpan(0, t.Item1).ToArray().Chunk(777))
            {
                signer.Append(piece);
            }

            signer.End();
            signer.Append(data.AsSpan(t.Item1));
            signer.End();
            Assert.Equal([.. ChunkSigner.Of(data.AsSpan(0, t.Item1), Fine), .. ChunkSigner.Of(data.AsSpan(t.Item1), Fine)], signer.Chunks);
        });
    }

    [Fact]
    public async Task The_wire_form_round_trips()
    {
        var data = Random(400_000, 1);
        ByteRange[] ranges = [new(0, 1), new(1000, 150_000), new(300_000, 1024), new(399_000, 1000)];
        var expected = ranges.Select(r => ChunkSigner.Of(data.AsSpan((int)r.Offset, (int)r.Length), Fine)).ToArray();

        var read = await ChunkSignatureWire.ReadAsync(new MemoryStream(Serialize(expected)), ranges, Fine);

        Assert.Equal(expected.Length, read.Length);
        for (var i = 0; i < expected.Length; i++)
        {
            Assert.Equal(expected[i], read[i]);
        }

        Assert.True(Serialize(expected).Length <= ChunkSignatureWire.MostBytes(ranges, Fine));
    }

    [Fact]
    public async Task The_reader_refuses_a_cut_extended_or_lying_answer_with_a_sentence()
    {
        var data = Random(200_000, 2);
        ByteRange[] ranges = [new(0, 100_000), new(150_000, 50_000)];
        var bytes = Serialize(ranges.Select(r => ChunkSigner.Of(data.AsSpan((int)r.Offset, (int)r.Length), Fine)).ToArray());
        var entries = bytes.Length / ChunkSignatureWire.EntrySize;
        async Task RefusedAsync(byte[] answer, string words)
        {
            var error = await Assert.ThrowsAsync<ChunkIndexFormatException>(() => ChunkSignatureWire.ReadAsync(new MemoryStream(answer), ranges, Fine));
            Assert.Contains(words, error.Message, StringComparison.Ordinal);
            Assert.EndsWith(".", error.Message, StringComparison.Ordinal);
        }

        await RefusedAsync([], "ended inside range 0");
        await RefusedAsync(bytes[..^1], "ended inside range 1");
        await RefusedAsync([.. bytes, 0], "go on after the last asked range");
        foreach (var length in new[] { 0, -1, Fine.Min - 1, Fine.Max + 1, int.MaxValue })
        {
            await RefusedAsync(WithLength(bytes, 0, length), "Range 0 has a chunk of");
        }

        // A last chunk longer than what is left of its range, and one shorter (the lengths then do not add up).
        await RefusedAsync(WithLength(bytes, entries - 1, BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan((entries - 1) * ChunkSignatureWire.EntrySize)) + 1), "Range 1 has a chunk of");
        await RefusedAsync(WithLength(bytes, entries - 1, BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan((entries - 1) * ChunkSignatureWire.EntrySize)) - 1), "ended inside range 1");
    }

    [Fact]
    public async Task An_endless_answer_is_read_no_further_than_an_honest_one_could_go()
    {
        ByteRange[] ranges = [new(0, 1 << 20)];
        var endless = new EndlessEntries(Fine.Min);

        await Assert.ThrowsAsync<ChunkIndexFormatException>(() => ChunkSignatureWire.ReadAsync(endless, ranges, Fine));

        Assert.InRange(endless.Served, 1, ChunkSignatureWire.MostBytes(ranges, Fine) + 1);
    }

    [Fact]
    public void Random_garbage_for_a_range_is_refused_or_describes_it_exactly()
    {
        ByteRange[] ranges = [new(0, 50_000)];
        PropertyCheck.ForAll(Gen.Byte.Array[0, 2000], 2000, garbage =>
        {
            try
            {
                var read = ChunkSignatureWire.ReadAsync(new MemoryStream(garbage), ranges, Fine).GetAwaiter().GetResult();
                Assert.Equal(50_000, read[0].Sum(c => (long)c.Length));
            }
            catch (ChunkIndexFormatException)
            {
            }
        });
    }

    private static byte[] Serialize(ChunkSignature[][] ranges)
    {
        var all = ranges.SelectMany(r => r).ToArray();
        var bytes = new byte[all.Length * ChunkSignatureWire.EntrySize];
        for (var i = 0; i < all.Length; i++)
        {
            ChunkSignatureWire.Write(all[i], bytes.AsSpan(i * ChunkSignatureWire.EntrySize));
        }

        return bytes;
    }

    private static byte[] WithLength(byte[] bytes, int entry, int length)
    {
        var copy = (byte[])bytes.Clone();
        BinaryPrimitives.WriteInt32LittleEndian(copy.AsSpan(entry * ChunkSignatureWire.EntrySize), length);
        return copy;
    }

    /// <summary>A peer that answers valid-looking entries of <c>length</c> bytes forever.</summary>
    private sealed class EndlessEntries(int length) : Stream
    {
        public long Served { get; private set; }

        public override int Read(byte[] buffer, int offset, int count)
        {
            for (var i = 0; i < count; i++)
            {
                var at = (Served + i) % ChunkSignatureWire.EntrySize;
                buffer[offset + i] = at < 4 ? (byte)(length >> (int)(8 * at)) : (byte)at;
            }

            Served += count;
            return count;
        }

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => Served; set => throw new NotSupportedException(); }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
