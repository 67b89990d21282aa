using System.Buffers.Binary;

namespace Aar.Protocol.Chunking;

/// <summary>A chunk's SHA-256 as four words: cheap to compare and to key a dictionary with.</summary>
public readonly record struct ChunkHash(ulong A, ulong B, ulong C, ulong D)
{
    public const int Size = 32;

    public static ChunkHash Read(ReadOnlySpan<byte> sha256) => new(
        BinaryPrimitives.ReadUInt64BigEndian(sha256),
        BinaryPrimitives.ReadUInt64BigEndian(sha256[8..]),
        BinaryPrimitives.ReadUInt64BigEndian(sha256[16..]),
        BinaryPrimitives.ReadUInt64BigEndian(sha256[24..]));

    public static ChunkHash Of(ReadOnlySpan<byte> content)
    {
        Span<byte> hash = stackalloc byte[Size];
        System.Security.Cryptography.SHA256.HashData(content, hash);
        return Read(hash);
    }

    public void Write(Span<byte> destination)
    {
        BinaryPrimitives.WriteUInt64BigEndian(destination, A);
        BinaryPrimitives.WriteUInt64BigEndian(destination[8..], B);
        BinaryPrimitives.WriteUInt64BigEndian(destination[16..], C);
        BinaryPrimitives.WriteUInt64BigEndian(destination[24..], D);
    }

    public override string ToString()
    {
        Span<byte> bytes = stackalloc byte[Size];
        Write(bytes);
        return Convert.ToHexStringLower(bytes);
    }
}
