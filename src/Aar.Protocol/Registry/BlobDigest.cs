using System.Security.Cryptography;

namespace Aar.Protocol.Registry;

/// <summary>
/// A content address: <c>sha256:</c> followed by 64 lower-case hex characters, the form docker-registry and OCI use.
/// Compared ordinally. Upper-case hex is refused rather than normalised, so one blob has exactly one name.
/// </summary>
public readonly record struct BlobDigest
{
    public const string Prefix = "sha256:";
    public const int HexLength = 64;

    private BlobDigest(string hex) => Hex = hex;

    /// <summary>The 64 lower-case hex characters, without the algorithm prefix.</summary>
    public string Hex { get; }

    public static BlobDigest FromHash(ReadOnlySpan<byte> sha256) => new(Convert.ToHexStringLower(sha256));

    public static BlobDigest Of(ReadOnlySpan<byte> content) => FromHash(SHA256.HashData(content));

    public static bool TryParse(string? text, out BlobDigest digest)
    {
        digest = default;
        if (text is null || text.Length != Prefix.Length + HexLength || !text.StartsWith(Prefix, StringComparison.Ordinal))
        {
            return false;
        }

        foreach (var c in text.AsSpan(Prefix.Length))
        {
            if (!char.IsAsciiDigit(c) && c is not (>= 'a' and <= 'f'))
            {
                return false;
            }
        }

        digest = new BlobDigest(text[Prefix.Length..]);
        return true;
    }

    /// <summary>The sentence a parse failure is reported with, naming the value.</summary>
    public static string Explain(string? text) =>
        $"'{Truncate(text)}' is not a valid digest: use sha256: followed by 64 lower-case hex characters.";

    private static string Truncate(string? text) =>
        text is null ? "" : text.Length <= 80 ? text : text[..80] + "…";

    public override string ToString() => Hex is null ? "" : Prefix + Hex;
}
