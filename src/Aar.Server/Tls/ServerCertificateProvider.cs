using System.Net.NetworkInformation;
using System.Net.Sockets;
using System.Net;
using System.Security.Cryptography.X509Certificates;
using System.Security.Cryptography;
using Aar.Hosting;
using Aar.Protocol.Certificates;
using Microsoft.Extensions.Logging;

namespace Aar.Server.Tls;

/// <summary>
/// Loads <c>certs/server.crt</c> + <c>server.key</c>, or makes them on first start: self-signed, with the machine's
/// host name, loopback and interface addresses and the operator's <c>--san</c> values as subject alternative names.
/// </summary>
internal static partial class ServerCertificateProvider
{
    public static X509Certificate2 LoadOrCreate(TlsOptions options, TimeProvider time, ILogger logger)
    {
        var crt = options.CertificatePath;
        var key = options.KeyPath;
        if (File.Exists(crt) && File.Exists(key))
        {
            return Load(crt, key, logger);
        }

        if (File.Exists(crt))
        {
            throw new StartupException($"{crt} exists but its key {key} is missing; restore the key, or move both aside to generate a new certificate (clients pinned to the old fingerprint must then be updated).");
        }

        var (dnsNames, addresses) = SubjectAlternativeNames(options.ExtraSubjectAlternativeNames);
        using var created = SelfSignedCertificates.CreateServer(Dns.GetHostName(), dnsNames, addresses, time);
        CertificateFiles.WritePair(created, crt, key);
        var loaded = Load(crt, key, logger);
        var fingerprint = Fingerprint.Of(loaded).Hex;
        var names = string.Join(", ", dnsNames.Concat(addresses.Select(a => a.ToString())));
        Log.ServerCertificateGenerated(logger, crt, fingerprint, names);
        return loaded;
    }

    private static X509Certificate2 Load(string crt, string key, ILogger logger)
    {
        if (CertificateFiles.IsKeyExposed(key))
        {
            Log.ServerKeyExposed(logger, key);
        }

        try
        {
            var certificate = CertificateFiles.LoadPair(crt, key);
            var fingerprint = Fingerprint.Of(certificate).Hex;
            var expiresAt = certificate.NotAfter.ToUniversalTime();
            Log.ServerCertificateLoaded(logger, crt, fingerprint, expiresAt);
            return certificate;
        }
        catch (Exception ex) when (ex is CryptographicException or ArgumentException or IOException or UnauthorizedAccessException)
        {
            throw new StartupException($"Cannot load the server certificate {crt} with key {key} ({ex.Message.TrimEnd('.')}); check both files are PEM and belong together.", ex);
        }
    }

    private static (List<string> DnsNames, List<IPAddress> Addresses) SubjectAlternativeNames(IReadOnlyList<string> extraNames)
    {
        var dnsNames = new List<string> { "localhost" };
        var host = Dns.GetHostName();
        if (Uri.CheckHostName(host) == UriHostNameType.Dns)
        {
            dnsNames.Add(host);
        }

        var addresses = new List<IPAddress> { IPAddress.Loopback, IPAddress.IPv6Loopback };
        foreach (var nic in NetworkInterface.GetAllNetworkInterfaces().Where(n => n.OperationalStatus == OperationalStatus.Up))
        {
            addresses.AddRange(nic.GetIPProperties().UnicastAddresses
                .Select(u => u.Address)
                .Where(a => a.AddressFamily is AddressFamily.InterNetwork or AddressFamily.InterNetworkV6 && !a.IsIPv6LinkLocal));
        }

        foreach (var name in extraNames)
        {
            if (IPAddress.TryParse(name, out var address))
            {
                addresses.Add(address);
            }
            else
            {
                dnsNames.Add(name);
            }
        }

        return (dnsNames.Distinct(StringComparer.OrdinalIgnoreCase).ToList(), addresses.Distinct().ToList());
    }

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Information, Message = "Generated server certificate {Path} with fingerprint {Fingerprint} for {Names}")]
        public static partial void ServerCertificateGenerated(ILogger logger, string path, string fingerprint, string names);

        [LoggerMessage(Level = LogLevel.Information, Message = "Server certificate {Path} fingerprint {Fingerprint}, expires {ExpiresAt:u}")]
        public static partial void ServerCertificateLoaded(ILogger logger, string path, string fingerprint, DateTime expiresAt);

        [LoggerMessage(Level = LogLevel.Warning, Message = "Server key {Path} is readable by other users; run 'chmod 600 {Path}'")]
        public static partial void ServerKeyExposed(ILogger logger, string path);
    }
}
