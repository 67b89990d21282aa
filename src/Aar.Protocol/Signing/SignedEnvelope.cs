using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;

namespace Aar.Protocol.Signing;

/// <summary>
/// A DSSE envelope (https://github.com/secure-systems-lab/dsse): a payload, its type, and signatures over the
/// pre-authentication encoding of both, so a signed listing cannot be passed off as a signed deletion list or the
/// reverse. The member names are DSSE's own (camelCase <c>payloadType</c>, <c>keyid</c>, <c>sig</c>), not this
/// protocol's snake_case, so any DSSE tool can read the envelope.
/// </summary>
public sealed record SignedEnvelope
{
    /// <summary>More signatures than this is not an envelope this system writes (a rotation carries two).</summary>
    public const int MaxSignatures = 8;

    /// <summary>Largest payload opened, in bytes: twice the largest listing a client accepts (64 MiB by default).</summary>
    public const long MaxPayloadBytes = 128L * 1024 * 1024;

    /// <summary>An IEEE P1363 P-256 signature is 64 bytes (88 base64 characters); a few more are tolerated for whitespace.</summary>
    private const int MaxSignatureBase64Length = 128;

    [JsonPropertyName("payloadType")]
    public required string PayloadType { get; init; }

    /// <summary>Standard base64 of the payload bytes.</summary>
    [JsonPropertyName("payload")]
    public required string Payload { get; init; }

    [JsonPropertyName("signatures")]
    public required IReadOnlyList<EnvelopeSignature> Signatures { get; init; }

    /// <summary>DSSE's pre-authentication encoding: <c>"DSSEv1" SP LEN(type) SP type SP LEN(payload) SP payload</c>, LEN in ASCII decimal bytes.</summary>
    public static byte[] Pae(string payloadType, ReadOnlySpan<byte> payload)
    {
        ArgumentNullException.ThrowIfNull(payloadType);
        var type = Encoding.UTF8.GetBytes(payloadType);
        var head = Encoding.ASCII.GetBytes(string.Create(CultureInfo.InvariantCulture, $"DSSEv1 {type.Length} "));
        var middle = Encoding.ASCII.GetBytes(string.Create(CultureInfo.InvariantCulture, $" {payload.Length} "));
        var pae = new byte[head.Length + type.Length + middle.Length + payload.Length];
        head.CopyTo(pae, 0);
        type.CopyTo(pae, head.Length);
        middle.CopyTo(pae, head.Length + type.Length);
        payload.CopyTo(pae.AsSpan(head.Length + type.Length + middle.Length));
        return pae;
    }

    /// <summary>
    /// SHA-256 of <see cref="Pae"/>, computed piece by piece: what is signed and verified, without a second copy of
    /// a payload that may be tens of megabytes.
    /// </summary>
    public static byte[] PaeHash(string payloadType, ReadOnlySpan<byte> payload)
    {
        ArgumentNullException.ThrowIfNull(payloadType);
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var type = Encoding.UTF8.GetBytes(payloadType);
        hash.AppendData(Encoding.ASCII.GetBytes(string.Create(CultureInfo.InvariantCulture, $"DSSEv1 {type.Length} ")));
        hash.AppendData(type);
        hash.AppendData(Encoding.ASCII.GetBytes(string.Create(CultureInfo.InvariantCulture, $" {payload.Length} ")));
        hash.AppendData(payload);
        return hash.GetHashAndReset();
    }

    /// <summary>An envelope of <paramref name="payload"/> signed by each of <paramref name="keys"/>, in order.</summary>
    public static SignedEnvelope Sign(string payloadType, byte[] payload, params SigningKeyPair[] keys)
    {
        ArgumentNullException.ThrowIfNull(payload);
        var digest = PaeHash(payloadType, payload);
        return new SignedEnvelope
        {
            PayloadType = payloadType,
            Payload = Convert.ToBase64String(payload),
            Signatures = SignAll(digest, keys),
        };
    }

    /// <summary>
    /// The JSON of <see cref="Sign(string, byte[], SigningKeyPair[])"/>'s envelope, written straight as UTF-8: the
    /// payload's base64 goes into the output once, with no base64 string (two bytes a character) or second
    /// serialization in between. For a 36 MB listing that is about 50 MB of output instead of 170 MB of copies.
    /// </summary>
    public static ReadOnlyMemory<byte> SignToUtf8(string payloadType, byte[] payload, params SigningKeyPair[] keys)
    {
        ArgumentNullException.ThrowIfNull(payload);
        var signatures = SignAll(PaeHash(payloadType, payload), keys);
        var output = new ArrayBufferWriter<byte>((payload.Length + 2) / 3 * 4 + 256 + 256 * signatures.Count);
        using (var json = new Utf8JsonWriter(output))
        {
            json.WriteStartObject();
            json.WriteString("payloadType", payloadType);
            json.WriteBase64String("payload", payload);
            json.WriteStartArray("signatures");
            foreach (var signature in signatures)
            {
                json.WriteStartObject();
                json.WriteString("keyid", signature.KeyId);
                json.WriteString("sig", signature.Sig);
                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }

        return output.WrittenMemory;
    }

    /// <summary><see cref="SignToUtf8(string, byte[], SigningKeyPair[])"/> of <paramref name="value"/> serialized with <paramref name="typeInfo"/>.</summary>
    public static ReadOnlyMemory<byte> SignToUtf8<T>(string payloadType, T value, JsonTypeInfo<T> typeInfo, params SigningKeyPair[] keys) =>
        SignToUtf8(payloadType, JsonSerializer.SerializeToUtf8Bytes(value, typeInfo), keys);

    private static List<EnvelopeSignature> SignAll(byte[] paeHash, SigningKeyPair[] keys)
    {
        ArgumentNullException.ThrowIfNull(keys);
        if (keys.Length is 0 or > MaxSignatures)
        {
            throw new ArgumentException($"An envelope carries 1 to {MaxSignatures} signatures.", nameof(keys));
        }

        return [.. keys.Select(k => new EnvelopeSignature { KeyId = k.PublicKey.KeyId, Sig = Convert.ToBase64String(k.SignHash(paeHash)) })];
    }

    /// <summary>An envelope of <paramref name="value"/> serialized with <paramref name="typeInfo"/>, signed by <paramref name="keys"/>.</summary>
    public static SignedEnvelope Sign<T>(string payloadType, T value, JsonTypeInfo<T> typeInfo, params SigningKeyPair[] keys) =>
        Sign(payloadType, JsonSerializer.SerializeToUtf8Bytes(value, typeInfo), keys);

    /// <summary>
    /// The payload, when the envelope is of <paramref name="expectedPayloadType"/> and carries a signature by
    /// <paramref name="key"/> that verifies. Anything else (another type, bad base64, no signature by that key, one
    /// that does not verify, too many signatures, a payload over <see cref="MaxPayloadBytes"/>) is false with a
    /// sentence in <paramref name="error"/>. Cost is bounded: at most <see cref="MaxSignatures"/> verifications.
    /// </summary>
    public bool TryOpen(string expectedPayloadType, SigningPublicKey key, [NotNullWhen(true)] out byte[]? payload, [NotNullWhen(false)] out string? error)
    {
        ArgumentNullException.ThrowIfNull(key);
        payload = null;
        if (!string.Equals(PayloadType, expectedPayloadType, StringComparison.Ordinal))
        {
            error = $"The signed document is of type '{Shorten(PayloadType)}', not the expected '{expectedPayloadType}'.";
            return false;
        }

        if (Signatures is null || Signatures.Count == 0)
        {
            error = "The document is not signed.";
            return false;
        }

        if (Signatures.Count > MaxSignatures)
        {
            error = $"The document carries {Signatures.Count} signatures, more than the {MaxSignatures} accepted.";
            return false;
        }

        if (Payload is null || Payload.Length > (MaxPayloadBytes + 2) / 3 * 4)
        {
            error = $"The signed payload is larger than the {MaxPayloadBytes} bytes accepted.";
            return false;
        }

        byte[] bytes;
        try
        {
            bytes = Convert.FromBase64String(Payload);
        }
        catch (FormatException)
        {
            error = "The signed payload is not base64.";
            return false;
        }

        var mine = Signatures.Where(s => s is not null && string.Equals(s.KeyId, key.KeyId, StringComparison.Ordinal)).ToList();
        if (mine.Count == 0)
        {
            error = $"The document is not signed by key {key.KeyId}.";
            return false;
        }

        var pae = PaeHash(PayloadType, bytes);
        Span<byte> sig = stackalloc byte[MaxSignatureBase64Length];
        foreach (var signature in mine)
        {
            if (signature.Sig is { Length: <= MaxSignatureBase64Length } text
                && Convert.TryFromBase64String(text, sig, out var length)
                && key.VerifyHash(pae, sig[..length]))
            {
                payload = bytes;
                error = null;
                return true;
            }
        }

        error = $"The signature by key {key.KeyId} does not verify: the document was altered or signed by another key.";
        return false;
    }

    /// <summary>
    /// <see cref="TryOpen(string, SigningPublicKey, out byte[], out string)"/>, then the payload read strictly with
    /// <paramref name="typeInfo"/> (a payload that is not that JSON is an error too).
    /// </summary>
    public bool TryOpen<T>(string expectedPayloadType, SigningPublicKey key, JsonTypeInfo<T> typeInfo, [NotNullWhen(true)] out T? value, [NotNullWhen(false)] out string? error)
        where T : class
    {
        value = null;
        if (!TryOpen(expectedPayloadType, key, out var payload, out error))
        {
            return false;
        }

        try
        {
            value = JsonSerializer.Deserialize(payload, typeInfo);
        }
        catch (JsonException ex)
        {
            error = $"The signed payload is not a valid '{expectedPayloadType}' document ({ex.Message}).";
            return false;
        }

        if (value is null)
        {
            error = $"The signed payload is not a valid '{expectedPayloadType}' document (JSON null).";
            return false;
        }

        return true;
    }

    /// <summary>A type named by the peer, cut short and reduced to printable ASCII so it can be shown as it is.</summary>
    private static string Shorten(string? text) =>
        text is null ? "" : new string([.. text.Take(80).Select(c => c is >= ' ' and <= '~' ? c : '?')]) + (text.Length > 80 ? "…" : "");
}
