using System.Security.Cryptography;
using Aar.Protocol.Certificates;

namespace Aar.Protocol.Signing;

/// <summary>
/// The private side of a registry signing key (ECDSA P-256), kept in a PKCS#8 PEM file of mode 0600, apart from the
/// TLS key: whoever holds the TLS key can answer as the registry, but only whoever holds this one can say what the
/// registry publishes.
/// </summary>
public sealed class SigningKeyPair : IDisposable
{
    /// <summary>A P-256 PKCS#8 PEM is about 240 bytes; a file much larger than this is not one.</summary>
    public const int MaxPemBytes = 16 * 1024;

    private readonly ECDsa _ecdsa;

    private SigningKeyPair(ECDsa ecdsa)
    {
        _ecdsa = ecdsa;
        PublicKey = SigningPublicKey.FromParameters(ecdsa.ExportParameters(includePrivateParameters: false));
    }

    public SigningPublicKey PublicKey { get; }

    /// <summary>A new random P-256 key.</summary>
    public static SigningKeyPair Create() => new(ECDsa.Create(ECCurve.NamedCurves.nistP256));

    /// <summary>Reads a PKCS#8 (or SEC1) PEM private key.</summary>
    /// <exception cref="InvalidDataException">The file is not a P-256 private key; the message says so in one sentence.</exception>
    /// <exception cref="IOException">The file cannot be read.</exception>
    public static SigningKeyPair LoadPem(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        using (var stream = File.OpenRead(path))
        {
            if (stream.Length > MaxPemBytes)
            {
                throw new InvalidDataException($"The signing key file {path} holds {stream.Length} bytes, more than an ECDSA P-256 private key ({MaxPemBytes} at most).");
            }
        }

        var ecdsa = ECDsa.Create();
        try
        {
            ecdsa.ImportFromPem(File.ReadAllText(path));
            if (ecdsa.ExportParameters(includePrivateParameters: false).Curve.Oid?.Value != SigningPublicKey.P256Oid)
            {
                throw new InvalidDataException($"The signing key file {path} holds a key on another curve than P-256, the only one a registry signs with.");
            }

            return new SigningKeyPair(ecdsa);
        }
        catch (Exception ex) when (ex is ArgumentException or CryptographicException)
        {
            ecdsa.Dispose();
            throw new InvalidDataException($"The signing key file {path} does not hold an ECDSA P-256 private key in PEM form.", ex);
        }
        catch
        {
            ecdsa.Dispose();
            throw;
        }
    }

    /// <summary>Writes the key as PKCS#8 PEM: mode 0600 from the first byte, atomically and durably (temp file, fsync, rename, directory fsync).</summary>
    public void SavePem(string path) =>
        CertificateFiles.WriteAtomically(path, _ecdsa.ExportPkcs8PrivateKeyPem() + "\n", CertificateFiles.PrivateKeyMode);

    /// <summary>The SHA-256 signature of <paramref name="data"/>, IEEE P1363 (64 bytes).</summary>
    public byte[] Sign(ReadOnlySpan<byte> data) =>
        _ecdsa.SignData(data, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);

    /// <summary>The signature of data whose SHA-256 is <paramref name="sha256"/>: the same as <see cref="Sign"/> of that data, without holding it whole.</summary>
    public byte[] SignHash(ReadOnlySpan<byte> sha256) =>
        _ecdsa.SignHash(sha256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);

    public void Dispose() => _ecdsa.Dispose();
}
