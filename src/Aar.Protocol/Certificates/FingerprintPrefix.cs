namespace Aar.Protocol.Certificates;

/// <summary>
/// A fingerprint or an unambiguous prefix of one (at least <see cref="Fingerprint.MinimumPrefixLength"/> hex
/// characters), as typed on a command line.
/// </summary>
public sealed record FingerprintPrefix
{
    private FingerprintPrefix(string value) => Value = value;

    /// <summary>Lower-case hex, no colons.</summary>
    public string Value { get; }

    public bool IsComplete => Value.Length == Fingerprint.HexLength;

    /// <summary>Parses a prefix; on failure <paramref name="error"/> says what is wrong in one sentence.</summary>
    public static bool TryParse(string? text, out FingerprintPrefix? prefix, out string? error)
    {
        prefix = null;
        var normalized = Fingerprint.Normalize(text);
        if (normalized is null)
        {
            error = $"'{text}' is not a fingerprint: expected hexadecimal characters (0-9, a-f), as shown by 'aar trust list'.";
            return false;
        }

        if (normalized.Length < Fingerprint.MinimumPrefixLength)
        {
            error = $"Fingerprint prefix '{text}' is too short: give at least {Fingerprint.MinimumPrefixLength} hex characters so it cannot match the wrong certificate.";
            return false;
        }

        error = null;
        prefix = new FingerprintPrefix(normalized);
        return true;
    }

    public bool Matches(string fingerprintHex) => fingerprintHex.StartsWith(Value, StringComparison.Ordinal);

    public override string ToString() => Value;
}
