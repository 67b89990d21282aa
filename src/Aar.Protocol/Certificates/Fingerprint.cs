using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Aar.Protocol.Certificates;

/// <summary>
/// The SHA-256 of a certificate's DER bytes as 64 lower-case hex characters: the identity of a certificate
/// everywhere in the system (same value as <c>openssl x509 -noout -fingerprint -sha256</c> without colons).
/// Compared ordinally.
/// </summary>
public readonly record struct Fingerprint
{
    /// <summary>Length of a full fingerprint in hex characters.</summary>
    public const int HexLength = 64;

    /// <summary>Shortest prefix the CLIs accept, as LXD does.</summary>
    public const int MinimumPrefixLength = 12;

    private Fingerprint(string hex) => Hex = hex;

    /// <summary>The 64 lower-case hex characters.</summary>
    public string Hex { get; }

    /// <summary>The first 12 characters, enough to name a certificate in logs and tables.</summary>
    public string Abbreviated => Hex[..MinimumPrefixLength];

    public static Fingerprint Of(X509Certificate2 certificate)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        return new Fingerprint(Convert.ToHexStringLower(SHA256.HashData(certificate.RawData)));
    }

    /// <summary>Parses a full fingerprint; accepts upper case and colon-separated pairs (as openssl prints them).</summary>
    public static bool TryParse(string? text, out Fingerprint fingerprint)
    {
        fingerprint = default;
        var normalized = Normalize(text);
        if (normalized is null || normalized.Length != HexLength)
        {
            return false;
        }

        fingerprint = new Fingerprint(normalized);
        return true;
    }

    /// <summary>
    /// Normalizes a fingerprint or prefix typed by a person: trims, lower-cases, drops colons.
    /// Returns null when what remains is empty or not hexadecimal.
    /// </summary>
    public static string? Normalize(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }

        var cleaned = text.Trim().Replace(":", "", StringComparison.Ordinal).ToLowerInvariant();
        if (cleaned.Length == 0 || cleaned.Length > HexLength || !cleaned.All(char.IsAsciiHexDigit))
        {
            return null;
        }

        return cleaned;
    }

    public bool StartsWith(string normalizedPrefix) => Hex.StartsWith(normalizedPrefix, StringComparison.Ordinal);

    public override string ToString() => Hex ?? "";
}
