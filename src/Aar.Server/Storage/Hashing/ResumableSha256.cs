using System.Runtime.InteropServices;
using System.Security.Cryptography;

namespace Aar.Server.Storage.Hashing;

/// <summary>
/// SHA-256 whose running state can be saved and restored, so an upload session continues after the node that
/// hashed its first bytes died (docker distribution persists <c>hashstates/sha256/&lt;offset&gt;</c> for the same
/// reason). .NET's <see cref="IncrementalHash"/> cannot export its state, so this calls OpenSSL's
/// <c>SHA256_Init/Update/Final</c> on a <c>SHA256_CTX</c> we own: a plain 112-byte struct (8 + 2 + 16 + 2 32-bit
/// words) that can be copied out and back in. When libcrypto cannot be loaded, it falls back to
/// <see cref="IncrementalHash"/> and <see cref="ExportState"/> returns null (callers then re-hash stored bytes).
/// </summary>
internal sealed partial class ResumableSha256 : IDisposable
{
    /// <summary>sizeof(SHA256_CTX) on every OpenSSL 1.1/3.x build.</summary>
    private const int ContextSize = 112;

    /// <summary>State format tag: "OpenSSL SHA256_CTX, little-endian, v1". Another tag is refused on import.</summary>
    private static readonly byte[] Tag = "ossl-sha256-le1:"u8.ToArray();

    private static readonly Lazy<bool> Native = new(Probe);

    private readonly byte[]? _context;
    private IncrementalHash? _fallback;

    private ResumableSha256(byte[]? context, IncrementalHash? fallback)
    {
        _context = context;
        _fallback = fallback;
    }

    /// <summary>True when the OpenSSL functions are usable, i.e. states can be exported.</summary>
    public static bool IsResumable => Native.Value;

    /// <summary>Bytes hashed so far (kept by the caller's offsets too; this is for checks).</summary>
    public long Length { get; private set; }

    public static ResumableSha256 Create()
    {
        if (!Native.Value)
        {
            return new ResumableSha256(null, IncrementalHash.CreateHash(HashAlgorithmName.SHA256));
        }

        var context = new byte[ContextSize];
        if (Sha256Init(context) != 1)
        {
            throw new CryptographicException("SHA256_Init failed.");
        }

        return new ResumableSha256(context, null);
    }

    /// <summary>
    /// Restores a state saved by <see cref="ExportState"/> after exactly <paramref name="length"/> bytes; null when
    /// the state is unusable here (other format, libcrypto missing), so the caller re-hashes instead.
    /// </summary>
    public static ResumableSha256? Import(ReadOnlySpan<byte> state, long length)
    {
        if (!Native.Value || state.Length != Tag.Length + ContextSize || !state[..Tag.Length].SequenceEqual(Tag))
        {
            return null;
        }

        var context = state[Tag.Length..].ToArray();
        // Nl/Nh (words 8 and 9) count the bits hashed: a state for another offset is refused rather than trusted.
        var bits = BitConverter.ToUInt32(context, 32) | ((ulong)BitConverter.ToUInt32(context, 36) << 32);
        return bits == (ulong)length * 8 ? new ResumableSha256(context, null) { Length = length } : null;
    }

    public void Append(ReadOnlySpan<byte> data)
    {
        if (_context is null)
        {
            _fallback!.AppendData(data);
        }
        else if (Sha256Update(_context, data, (nuint)data.Length) != 1)
        {
            throw new CryptographicException("SHA256_Update failed.");
        }

        Length += data.Length;
    }

    /// <summary>The running state after <see cref="Length"/> bytes, or null when only the fallback hash is available.</summary>
    public byte[]? ExportState()
    {
        if (_context is null)
        {
            return null;
        }

        var state = new byte[Tag.Length + ContextSize];
        Tag.CopyTo(state, 0);
        _context.CopyTo(state, Tag.Length);
        return state;
    }

    /// <summary>The digest of everything appended; the hash cannot be used afterwards.</summary>
    public byte[] Finish()
    {
        if (_context is null)
        {
            var digest = _fallback!.GetHashAndReset();
            _fallback.Dispose();
            _fallback = null;
            return digest;
        }

        var result = new byte[32];
        // Final on a copy: the exported state stays valid for a retry of the same completion.
        var copy = (byte[])_context.Clone();
        if (Sha256Final(result, copy) != 1)
        {
            throw new CryptographicException("SHA256_Final failed.");
        }

        return result;
    }

    public void Dispose() => _fallback?.Dispose();

    private static bool Probe()
    {
        if (!BitConverter.IsLittleEndian)
        {
            return false;
        }

        try
        {
            // Known-answer test: a libcrypto whose SHA256_CTX differs from what we assume must not be trusted.
            var context = new byte[ContextSize + 64];
            var digest = new byte[32];
            var data = "abc"u8;
            return Sha256Init(context) == 1 && Sha256Update(context, data, (nuint)data.Length) == 1 && Sha256Final(digest, context) == 1
                && digest.AsSpan().SequenceEqual(SHA256.HashData(data))
                && context.AsSpan(ContextSize).IndexOfAnyExcept((byte)0) < 0;
        }
        catch (Exception ex) when (ex is DllNotFoundException or EntryPointNotFoundException)
        {
            return false;
        }
    }

    // libcrypto.so.3 is OpenSSL 3 (Debian 12, Ubuntu 22.04+); the SHA256_* functions are deprecated there but exported.
    [LibraryImport("libcrypto.so.3", EntryPoint = "SHA256_Init")]
    private static partial int Sha256Init(Span<byte> context);

    [LibraryImport("libcrypto.so.3", EntryPoint = "SHA256_Update")]
    private static partial int Sha256Update(Span<byte> context, ReadOnlySpan<byte> data, nuint length);

    [LibraryImport("libcrypto.so.3", EntryPoint = "SHA256_Final")]
    private static partial int Sha256Final(Span<byte> digest, Span<byte> context);
}
