using System.Diagnostics.CodeAnalysis;
using System.Security.Cryptography;

namespace Aar.Protocol.Signing;

/// <summary>
/// The public half of a registry signing key: ECDSA P-256, carried on the wire as standard base64 of its
/// SubjectPublicKeyInfo DER and named by <see cref="KeyId"/>, the lower-case hex SHA-256 of that DER. Signatures are
/// SHA-256 in IEEE P1363 form (r||s, 64 bytes), the form DSSE and most other signers use.
/// </summary>
public sealed class SigningPublicKey
{
    /// <summary>A P-256 SubjectPublicKeyInfo is 91 bytes (124 base64 characters); anything much longer is not one.</summary>
    public const int MaxBase64Length = 512;

    /// <summary>The one curve accepted, so a key cannot be swapped for a weaker one of the same shape.</summary>
    internal const string P256Oid = "1.2.840.10045.3.1.7";

    private readonly ECParameters _parameters;

    private SigningPublicKey(ECParameters parameters, byte[] spki)
    {
        _parameters = parameters;
        Spki = spki;
        KeyId = Convert.ToHexStringLower(SHA256.HashData(spki));
        Base64 = Convert.ToBase64String(spki);
    }

    /// <summary>Lower-case hex SHA-256 of the SubjectPublicKeyInfo DER (64 characters).</summary>
    public string KeyId { get; }

    /// <summary>Standard base64 of the SubjectPublicKeyInfo DER, as it travels in JSON and join tokens.</summary>
    public string Base64 { get; }

    internal byte[] Spki { get; }

    /// <summary>
    /// Reads a base64 SubjectPublicKeyInfo; only an ECDSA P-256 key is accepted. The key is re-encoded, so the same key
    /// always has the same <see cref="KeyId"/> whatever encoding it arrived in. On failure <paramref name="error"/> says why.
    /// </summary>
    public static bool TryParse(string? base64Spki, [NotNullWhen(true)] out SigningPublicKey? key, [NotNullWhen(false)] out string? error)
    {
        key = null;
        var text = base64Spki?.Trim();
        if (string.IsNullOrEmpty(text))
        {
            error = "The signing key is empty: expected the base64 public key that 'aar status' or 'aar signing-key show' prints.";
            return false;
        }

        if (text.Length > MaxBase64Length)
        {
            error = $"The signing key is {text.Length} characters long, more than the {MaxBase64Length} of an ECDSA P-256 public key.";
            return false;
        }

        var bytes = new byte[text.Length];
        if (!Convert.TryFromBase64String(text, bytes, out var length))
        {
            error = "The signing key is not base64: expected the public key that 'aar status' or 'aar signing-key show' prints.";
            return false;
        }

        try
        {
            using var ecdsa = ECDsa.Create();
            ecdsa.ImportSubjectPublicKeyInfo(bytes.AsSpan(0, length), out var read);
            var parameters = ecdsa.ExportParameters(includePrivateParameters: false);
            if (read != length || parameters.Curve.Oid?.Value != P256Oid)
            {
                error = "The signing key is not an ECDSA P-256 public key, the only kind a registry signs with.";
                return false;
            }

            key = FromParameters(parameters);
            error = null;
            return true;
        }
        catch (CryptographicException)
        {
            error = "The signing key is not an ECDSA P-256 public key, the only kind a registry signs with.";
            return false;
        }
    }

    /// <summary>True when <paramref name="signature"/> (IEEE P1363, 64 bytes) is this key's SHA-256 signature of <paramref name="data"/>.</summary>
    public bool Verify(ReadOnlySpan<byte> data, ReadOnlySpan<byte> signature)
    {
        if (signature.Length != 64)
        {
            return false;
        }

        using var ecdsa = ECDsa.Create(_parameters);
        return ecdsa.VerifyData(data, signature, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
    }

    /// <summary><see cref="Verify"/> of data whose SHA-256 is <paramref name="sha256"/>.</summary>
    public bool VerifyHash(ReadOnlySpan<byte> sha256, ReadOnlySpan<byte> signature)
    {
        if (signature.Length != 64)
        {
            return false;
        }

        using var ecdsa = ECDsa.Create(_parameters);
        return ecdsa.VerifyHash(sha256, signature, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
    }

    public override string ToString() => KeyId;

    internal static SigningPublicKey FromParameters(ECParameters parameters)
    {
        using var ecdsa = ECDsa.Create(new ECParameters { Curve = parameters.Curve, Q = parameters.Q });
        return new SigningPublicKey(ecdsa.ExportParameters(includePrivateParameters: false), ecdsa.ExportSubjectPublicKeyInfo());
    }
}
