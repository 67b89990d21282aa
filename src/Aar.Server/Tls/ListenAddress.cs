using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Aar.Server.Tls;

/// <summary>Parses <c>--listen</c> values: an IP literal and a port, <c>[v6]:port</c>, or <c>:port</c> for every address.</summary>
public static class ListenAddress
{
    public const string Default = "[::]:3000";

    public static bool TryParse(string? text, out IPEndPoint? endPoint, out string? error)
    {
        endPoint = null;
        error = null;
        if (string.IsNullOrWhiteSpace(text))
        {
            error = "--listen is empty: give an address and port such as [::]:3000, 0.0.0.0:3000 or 127.0.0.1:3000.";
            return false;
        }

        var value = text.Trim();
        var colon = value.LastIndexOf(':');
        if (colon < 0)
        {
            error = $"--listen '{text}' has no port: give an address and port such as [::]:3000 or 127.0.0.1:3000.";
            return false;
        }

        var hostPart = value[..colon];
        var portPart = value[(colon + 1)..];
        if (!int.TryParse(portPart, NumberStyles.None, CultureInfo.InvariantCulture, out var port) || port > IPEndPoint.MaxPort)
        {
            error = $"--listen '{text}' has an invalid port '{portPart}': use a number from 0 to 65535.";
            return false;
        }

        IPAddress? address;
        if (hostPart.Length == 0)
        {
            address = Socket.OSSupportsIPv6 ? IPAddress.IPv6Any : IPAddress.Any;
        }
        else
        {
            var literal = hostPart.StartsWith('[') && hostPart.EndsWith(']') ? hostPart[1..^1] : hostPart;
            if (!IPAddress.TryParse(literal, out address) || (address.AddressFamily == AddressFamily.InterNetworkV6 && !hostPart.StartsWith('[')))
            {
                error = $"--listen '{text}' has an invalid address '{hostPart}': use an IP address (IPv6 in brackets, e.g. [::]:3000), not a host name.";
                return false;
            }
        }

        // "[::]" is the documented default; on a host without IPv6 fall back to every IPv4 address (docs/configuration.md).
        if (address.Equals(IPAddress.IPv6Any) && !Socket.OSSupportsIPv6)
        {
            address = IPAddress.Any;
        }

        endPoint = new IPEndPoint(address, port);
        return true;
    }
}
