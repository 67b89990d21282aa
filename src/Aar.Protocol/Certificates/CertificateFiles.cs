using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Aar.IO;

namespace Aar.Protocol.Certificates;

/// <summary>
/// Reads and writes certificate and key files. Writes are atomic and durable (temp file in the same directory, fsync,
/// rename, fsync of the directory: a key written at first start is not lost with its directory entry) and private keys are created with mode 0600 from the first byte, never chmod-ed after the fact.
/// </summary>
public static class CertificateFiles
{
    public const UnixFileMode PrivateKeyMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    public const UnixFileMode CertificateMode = PrivateKeyMode | UnixFileMode.GroupRead | UnixFileMode.OtherRead;

    /// <summary>Writes <paramref name="certificate"/> (which must hold its private key) to a .crt and a 0600 .key file.</summary>
    public static void WritePair(X509Certificate2 certificate, string certificatePath, string keyPath)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        using var key = certificate.GetECDsaPrivateKey() as AsymmetricAlgorithm
            ?? certificate.GetRSAPrivateKey()
            ?? throw new ArgumentException("The certificate has no private key to write.", nameof(certificate));
        // The key goes first: a crash between the two leaves a key without a certificate, which the loader treats
        // as "not created yet" and regenerates, never a certificate whose key is missing.
        WriteAtomically(keyPath, key.ExportPkcs8PrivateKeyPem() + "\n", PrivateKeyMode);
        WriteAtomically(certificatePath, CertificateFacts.ToPem(certificate), CertificateMode);
    }

    /// <summary>Loads a certificate with its private key from PEM files.</summary>
    public static X509Certificate2 LoadPair(string certificatePath, string keyPath) =>
        X509Certificate2.CreateFromPemFile(certificatePath, keyPath);

    /// <summary>True when the key file can be read by anyone but its owner.</summary>
    public static bool IsKeyExposed(string keyPath) =>
        (File.GetUnixFileMode(keyPath) & ~(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute)) != 0;

    public static void WriteAtomically(string path, string content, UnixFileMode mode)
    {
        var directory = Path.GetDirectoryName(Path.GetFullPath(path))!;
        var temp = Path.Combine(directory, $".{Path.GetFileName(path)}.{Guid.NewGuid():N}.tmp");
        try
        {
            var options = new FileStreamOptions
            {
                Mode = FileMode.CreateNew,
                Access = FileAccess.Write,
                UnixCreateMode = mode,
            };
            using (var stream = new FileStream(temp, options))
            {
                stream.Write(Encoding.UTF8.GetBytes(content));
                stream.Flush(flushToDisk: true);
            }

            DurableDirectory.Move(temp, path, overwrite: true);
        }
        finally
        {
            if (File.Exists(temp))
            {
                File.Delete(temp);
            }
        }
    }
}
