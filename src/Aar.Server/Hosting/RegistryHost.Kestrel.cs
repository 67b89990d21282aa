using System.Net;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using Aar.Hosting;
using Aar.Server.Access;
using Aar.Server.Metrics;
using Aar.Server.Tls;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Https;

namespace Aar.Server.Hosting;

/// <summary>Kestrel: mutual TLS on <c>--listen</c>, the admin API on the private unix socket.</summary>
public sealed partial class RegistryHost
{
    private static void ConfigureKestrel(IWebHostBuilder webHost, IPEndPoint endPoint, PrivateUnixSocket socket, X509Certificate2 certificate, ServeOptions options, MetricsListener? metrics, TransportBytes transport)
    {
        // Inline scheduling: the socket transport runs Kestrel's and our continuations on the thread that completed
        // the I/O instead of queueing each one to the thread pool, and a flush sends on the flushing thread. Measured
        // on downloads (docs/benchmarks.md): 4-41 % less CPU per GB, at equal or better throughput; uploads lose
        // 7-33 % (receive, decryption, hash and write then run on one thread): kept because a fleet downloads far more.
        // Kestrel calls it unsafe because a handler that blocks then holds that I/O thread. With the runtime's own
        // inline socket completions left off, that thread is a thread-pool thread, as the handler's thread was before:
        // a blocking fsync or SQLite call holds one pool thread either way, and the epoll thread is never held.
        webHost.UseSockets(sockets => sockets.UnsafePreferInlineScheduling = true);
        webHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Limits.MaxRequestBodySize = options.MaxRequestBodyBytes;
            kestrel.Listen(endPoint, listen =>
            {
                listen.Protocols = HttpProtocols.Http1AndHttp2;
                listen.UseHttps(new HttpsConnectionAdapterOptions
                {
                    ServerCertificate = certificate,
                    SslProtocols = SslProtocols.Tls12 | SslProtocols.Tls13,
                    // RequireCertificate (not Delay): the certificate must come in the handshake, which also works
                    // for HTTP/2 (which forbids the renegotiation a delayed request would need).
                    ClientCertificateMode = ClientCertificateMode.RequireCertificate,
                    // Any presented certificate completes the handshake; TrustGateMiddleware decides on every
                    // request. A refusal is then a 403 problem that names the fingerprint and what to do, instead of
                    // a bare connection reset the client cannot interpret.
                    ClientCertificateValidation = static (_, _, _) => true,
                    OnAuthenticate = static (_, ssl) => ssl.CipherSuitesPolicy = TlsCipherSuites.Policy,
                });
                listen.Use(transport.Middleware);
                // 16 KiB TLS records instead of 4 KiB ones: +16-33 % download throughput measured (docs/benchmarks.md).
                listen.Use(TlsWriteCoalescing.Middleware);
            });
            socket.Listen(kestrel, listen => listen.Use(AdminConnection.Mark));
            metrics?.Listen(kestrel);
        });
    }

    /// <summary>Starts Kestrel; the admin socket is published as part of the start (<see cref="PrivateUnixSocket.PublishWhenStarted"/>).</summary>
    private static async Task StartListeningAsync(WebApplication app, ServeOptions options, MetricsListener? metrics, CancellationToken cancellationToken)
    {
        try
        {
            await app.StartAsync(cancellationToken);
        }
        catch (IOException ex) when (metrics is not null && ex.Message.Contains($"http://{metrics.EndPoint}", StringComparison.Ordinal))
        {
            // Kestrel names the address it failed to bind; the metrics listener is the only plain-HTTP one.
            throw new StartupException($"Cannot listen on {metrics.Address} for metrics ({ex.InnerException?.Message ?? ex.Message}); stop the other process or choose another address with --metrics-listen.", ex);
        }
        catch (IOException ex) when (ex.InnerException is AddressInUseException)
        {
            throw new StartupException($"Cannot listen on {options.Listen}: the address is already in use by another process; stop it or choose another address with --listen.", ex);
        }
        catch (IOException ex)
        {
            throw new StartupException($"Cannot listen on {options.Listen} ({ex.InnerException?.Message ?? ex.Message}); check the address exists on this machine, or choose another with --listen.", ex);
        }
    }
}
