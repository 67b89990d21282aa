using System.Buffers.Binary;
using System.Security.Cryptography;

namespace Ams.Daemon.Applications;

/// <summary>
/// Short unique ids like the original product's (xid-style, 20 characters of base32hex): 4 bytes of creation time
/// and 8 random bytes, so ids sort roughly by age and never collide in practice.
/// </summary>
internal static class ApplicationIds
{
    private const string Alphabet = "0123456789abcdefghijklmnopqrstuv";

    public static string New(TimeProvider time)
    {
        Span<byte> bytes = stackalloc byte[12];
        BinaryPrimitives.WriteUInt32BigEndian(bytes, (uint)time.GetUtcNow().ToUnixTimeSeconds());
        RandomNumberGenerator.Fill(bytes[4..]);
        Span<char> chars = stackalloc char[20];
        var bitBuffer = 0;
        var bitCount = 0;
        var index = 0;
        foreach (var b in bytes)
        {
            bitBuffer = (bitBuffer << 8) | b;
            bitCount += 8;
            while (bitCount >= 5)
            {
                chars[index++] = Alphabet[(bitBuffer >> (bitCount - 5)) & 31];
                bitCount -= 5;
            }
        }

        chars[index] = Alphabet[(bitBuffer << (5 - bitCount)) & 31];
        return new string(chars);
    }

    public static bool LooksLikeId(string text) => text.Length == 20 && text.All(c => Alphabet.Contains(c, StringComparison.Ordinal));
}
