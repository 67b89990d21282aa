using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace Aar.Hosting;

/// <summary>
/// The plain-HTTP listener for <c>/metrics</c>, <c>/healthz</c> and <c>/readyz</c> (<c>--metrics-listen</c>). It is a
/// separate Kestrel endpoint whose connections are marked here, so the daemon's pipeline can send them down their own
/// branch (<see cref="DaemonMetrics.UseMetricsListener"/>) and no request from the mTLS port or the admin socket can
/// ever reach that branch. It has no authentication: bind it to localhost or a private interface.
/// </summary>
public sealed class MetricsListener
{
    private static readonly MetricsConnection Marker = new();

    private MetricsListener(IPEndPoint endPoint, string address)
    {
        EndPoint = endPoint;
        Address = address;
    }

    /// <summary>The address as the operator wrote it (for messages).</summary>
    public string Address { get; }

    public IPEndPoint EndPoint { get; }

    /// <summary>
    /// Parses <c>--metrics-listen</c>: an IP literal and a port (<c>127.0.0.1:9100</c>, <c>[::1]:9100</c>). A host name
    /// or a bare <c>:port</c> is refused: the listener has no authentication, so where it listens is spelt out.
    /// </summary>
    public static bool TryParse(string text, out MetricsListener? listener, out string? error)
    {
        listener = null;
        error = null;
        var value = text.Trim();
        var colon = value.LastIndexOf(':');
        if (colon <= 0)
        {
            error = $"--metrics-listen '{text}' needs an address and a port, such as 127.0.0.1:9100 or [::1]:9100.";
            return false;
        }

        var hostPart = value[..colon];
        var portPart = value[(colon + 1)..];
        if (!int.TryParse(portPart, NumberStyles.None, CultureInfo.InvariantCulture, out var port) || port > IPEndPoint.MaxPort)
        {
            error = $"--metrics-listen '{text}' has an invalid port '{portPart}': use a number from 0 to 65535.";
            return false;
        }

        var literal = hostPart.StartsWith('[') && hostPart.EndsWith(']') ? hostPart[1..^1] : hostPart;
        if (!IPAddress.TryParse(literal, out var address) || (address.AddressFamily == AddressFamily.InterNetworkV6 && !hostPart.StartsWith('[')))
        {
            error = $"--metrics-listen '{text}' has an invalid address '{hostPart}': use an IP address (IPv6 in brackets, e.g. [::1]:9100), not a host name.";
            return false;
        }

        listener = new MetricsListener(new IPEndPoint(address, port), value);
        return true;
    }

    /// <summary>Adds the plain HTTP/1.1 endpoint (Prometheus and load balancers speak HTTP/1.1).</summary>
    public void Listen(KestrelServerOptions kestrel) =>
        kestrel.Listen(EndPoint, listen =>
        {
            listen.Protocols = HttpProtocols.Http1;
            listen.Use(next => connection =>
            {
                connection.Features.Set(Marker);
                return next(connection);
            });
        });

    /// <summary>
    /// This listener's address among the server's bound ones (with the real port when port 0 was asked for): the one
    /// plain-HTTP TCP address, as the others are HTTPS or a unix socket (<c>http://unix:/…</c>).
    /// </summary>
    public static Uri? FindBound(IEnumerable<string> addresses) =>
        addresses.Where(a => a.StartsWith("http://", StringComparison.Ordinal) && !a.StartsWith("http://unix:", StringComparison.Ordinal))
            .Select(a => new Uri(a)).FirstOrDefault();

    /// <summary>True for a request that arrived on this listener (set per connection, never from request data).</summary>
    public static bool IsMetricsRequest(HttpContext context) =>
        context.Features.Get<MetricsConnection>() is not null;

    /// <summary>The connection feature that marks this listener's connections.</summary>
    private sealed class MetricsConnection;
}
