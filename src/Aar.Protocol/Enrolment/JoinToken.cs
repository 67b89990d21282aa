using System.Buffers.Text;
using System.Text.Json;

namespace Aar.Protocol.Enrolment;

/// <summary>
/// What <c>aar trust token create</c> prints and <c>amc registry join</c> reads (LXD's join token, adapted): the
/// registry's addresses, its server certificate fingerprint (so the AMS pins it without trusting on first use), a
/// one-time secret, and when the token expires. Encoded as base64url JSON so it survives copy and paste.
/// </summary>
public sealed record JoinToken
{
    /// <summary>Registry addresses to try in order, as <c>host:port</c> (IPv6 in brackets).</summary>
    public required IReadOnlyList<string> Addresses { get; init; }

    /// <summary>SHA-256 fingerprint of the registry's server certificate.</summary>
    public required string Fingerprint { get; init; }

    /// <summary>The one-time secret; the registry stores only its hash.</summary>
    public required string Secret { get; init; }

    /// <summary><c>client</c> or <c>publisher</c>: what the AMS becomes.</summary>
    public required string Role { get; init; }

    public required DateTimeOffset ExpiresAt { get; init; }

    /// <summary>
    /// The registry's signing public key (base64 SubjectPublicKeyInfo), pinned by the join together with
    /// <see cref="Fingerprint"/>; null in tokens from registries that did not sign yet.
    /// </summary>
    public string? SigningKey { get; init; }

    public string Encode() => Base64Url.EncodeToString(JsonSerializer.SerializeToUtf8Bytes(this, ProtocolJsonContext.Default.JoinToken));

    /// <summary>Decodes a token; on failure <paramref name="error"/> says what is wrong in one sentence.</summary>
    public static bool TryDecode(string? text, out JoinToken? token, out string? error)
    {
        token = null;
        error = "The join token is malformed: copy the whole line printed by 'aar trust token create'.";
        if (string.IsNullOrWhiteSpace(text) || text.Length > 8192)
        {
            return false;
        }

        try
        {
            token = JsonSerializer.Deserialize(Base64Url.DecodeFromChars(text.Trim()), ProtocolJsonContext.Default.JoinToken);
        }
        catch (Exception ex) when (ex is FormatException or JsonException)
        {
            return false;
        }

        if (token is null || token.Addresses.Count == 0 || !Certificates.Fingerprint.TryParse(token.Fingerprint, out _)
            || string.IsNullOrEmpty(token.Secret) || token.Role is not ("client" or "publisher")
            || (token.SigningKey is not null && !Signing.SigningPublicKey.TryParse(token.SigningKey, out _, out _)))
        {
            token = null;
            return false;
        }

        error = null;
        return true;
    }
}
