using System.Net;
using System.Security.Cryptography.X509Certificates;
using System.Security.Cryptography;
using Aar.Hosting;
using Aar.Protocol.Certificates;
using Microsoft.Extensions.Logging;

namespace Ams.Daemon.Sync;

/// <summary>
/// The AMS's registry client certificate, <c>registry/client.crt</c> + <c>client.key</c> (0600): made on first
/// start, presented to the registry for mutual TLS, and what the operator gives to <c>aar trust add</c>.
/// </summary>
internal static partial class ClientCertificate
{
    /// <summary>
    /// Held while the pair is read or replaced: the key and the certificate are two files, renamed one after the
    /// other, so a reader between the two renames would get a key that does not match its certificate.
    /// </summary>
    private static readonly Lock Files = new();

    /// <summary>Loads the pair for one connection to the registry.</summary>
    public static X509Certificate2 Load(SyncOptions options)
    {
        lock (Files)
        {
            return CertificateFiles.LoadPair(options.ClientCertificatePath, options.ClientKeyPath);
        }
    }

    /// <summary>
    /// The current certificate's fingerprint, for status answers: when the pair cannot be read (permissions changed
    /// under a running daemon) it says so instead of failing, since the status is where the operator looks for why
    /// passes fail, and <c>GET /1.0</c> is asked before every package upload, which needs no certificate.
    /// </summary>
    public static string CurrentFingerprint(SyncOptions options)
    {
        try
        {
            using var certificate = Load(options);
            return Fingerprint.Of(certificate).Hex;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or CryptographicException)
        {
            return $"unreadable ({ex.Message})";
        }
    }

    /// <summary>
    /// Replaces the pair with a new key and certificate, keeping the old pair as <c>client.crt.previous</c> and
    /// <c>client.key.previous</c> (0600); returns the new certificate (with its key) and the old fingerprint.
    /// </summary>
    public static (X509Certificate2 Created, string PreviousFingerprint) Renew(SyncOptions options, TimeProvider time, ILogger logger)
    {
        var created = SelfSignedCertificates.CreateClient(DefaultName(Dns.GetHostName()), time);
        try
        {
            lock (Files)
            {
                using var previous = CertificateFiles.LoadPair(options.ClientCertificatePath, options.ClientKeyPath);
                CertificateFiles.WritePair(previous, options.ClientCertificatePath + ".previous", options.ClientKeyPath + ".previous");
                CertificateFiles.WritePair(created, options.ClientCertificatePath, options.ClientKeyPath);
                var old = Fingerprint.Of(previous).Hex;
                Log.ClientCertificateRenewed(logger, options.ClientCertificatePath, Fingerprint.Of(created).Hex, old);
                return (created, old);
            }
        }
        catch
        {
            created.Dispose();
            throw;
        }
    }

    public static X509Certificate2 LoadOrCreate(SyncOptions options, TimeProvider time, ILogger logger)
    {
        var crt = options.ClientCertificatePath;
        var key = options.ClientKeyPath;
        if (File.Exists(crt) && !File.Exists(key))
        {
            throw new StartupException($"{crt} exists but its key {key} is missing; restore the key, or move the certificate aside to generate a new one (then trust the new one on the registry with 'aar trust add').");
        }

        if (!File.Exists(crt))
        {
            using var created = SelfSignedCertificates.CreateClient(DefaultName(Dns.GetHostName()), time);
            CertificateFiles.WritePair(created, crt, key);
            Log.ClientCertificateGenerated(logger, crt, Fingerprint.Of(created).Hex);
        }
        else if (CertificateFiles.IsKeyExposed(key))
        {
            Log.ClientKeyExposed(logger, key);
        }

        try
        {
            return CertificateFiles.LoadPair(crt, key);
        }
        catch (Exception ex) when (ex is CryptographicException or ArgumentException or IOException or UnauthorizedAccessException)
        {
            throw new StartupException($"Cannot load the registry client certificate {crt} with key {key} ({ex.Message.TrimEnd('.')}); check both files are PEM and belong together, or move both aside to generate new ones.", ex);
        }
    }

    /// <summary>
    /// <c>ams-1a2b3c@host</c>: the host says where it runs, the random part tells apart several AMS on one host (and
    /// an AMS from its own earlier certificates) in <c>aar trust list</c>, where the name is what an operator reads.
    /// </summary>
    internal static string DefaultName(string host) =>
        $"ams-{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(3))}@{host}";

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Warning, Message = "Registry client certificate {Path} renewed: now {Fingerprint}, was {Previous}; the registry must trust the new one before the next pass works")]
        public static partial void ClientCertificateRenewed(ILogger logger, string path, string fingerprint, string previous);

        [LoggerMessage(Level = LogLevel.Information, Message = "Generated registry client certificate {Path} with fingerprint {Fingerprint}; trust it on the registry with 'aar trust add'")]
        public static partial void ClientCertificateGenerated(ILogger logger, string path, string fingerprint);

        [LoggerMessage(Level = LogLevel.Warning, Message = "Registry client key {Path} is readable by other users; run 'chmod 600 {Path}'")]
        public static partial void ClientKeyExposed(ILogger logger, string path);
    }
}
