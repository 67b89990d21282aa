using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using Aar.Protocol.Certificates;

namespace TestSupport;

/// <summary>
/// HttpClients that speak mutual TLS to a registry: the client presents <c>certificate</c> and accepts the server only
/// by its pinned fingerprint (the production validator). Counts TCP connections so tests can prove that requests
/// shared one connection.
/// </summary>
public sealed class MtlsClient : IDisposable
{
    private int _connections;

    public MtlsClient(Uri baseAddress, string serverFingerprint, X509Certificate2 certificate, Version? httpVersion = null)
    {
        if (!Fingerprint.TryParse(serverFingerprint, out var pin))
        {
            throw new ArgumentException($"Not a fingerprint: {serverFingerprint}", nameof(serverFingerprint));
        }

        var handler = new SocketsHttpHandler
        {
            MaxConnectionsPerServer = 1,
            PooledConnectionIdleTimeout = TimeSpan.FromMinutes(5),
            SslOptions = new SslClientAuthenticationOptions
            {
                ClientCertificates = [certificate],
                RemoteCertificateValidationCallback = PinnedServerCertificate.Validator(pin),
            },
            ConnectCallback = async (context, cancellationToken) =>
            {
                Interlocked.Increment(ref _connections);
                var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                try
                {
                    await socket.ConnectAsync(context.DnsEndPoint, cancellationToken);
                    return new NetworkStream(socket, ownsSocket: true);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            },
        };
        Http = new HttpClient(handler)
        {
            BaseAddress = baseAddress,
            DefaultRequestVersion = httpVersion ?? HttpVersion.Version11,
            DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact,
        };
    }

    public HttpClient Http { get; }

    /// <summary>How many TCP connections the client has opened so far.</summary>
    public int Connections => Volatile.Read(ref _connections);

    public void Dispose() => Http.Dispose();
}
