using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;

namespace Aar.Server.Enrolment;

/// <summary>
/// The <c>host:port</c> addresses a join token tells an AMS to try: the listen address when it is a specific IP,
/// otherwise every address of every interface that is up (non-loopback first, so a remote AMS tries a reachable one
/// before 127.0.0.1).
/// </summary>
internal sealed class AdvertisedAddresses
{
    private IReadOnlyList<string> _addresses = [];

    public IReadOnlyList<string> Current => Volatile.Read(ref _addresses);

    public void SetFromBoundAddress(Uri bound)
    {
        var host = IPAddress.Parse(bound.Host.Trim('[', ']'));
        var port = bound.Port;
        IEnumerable<IPAddress> addresses = host.Equals(IPAddress.Any) || host.Equals(IPAddress.IPv6Any)
            ? InterfaceAddresses(includeIPv6: host.Equals(IPAddress.IPv6Any))
            : [host];
        Volatile.Write(ref _addresses, addresses.Select(a => new IPEndPoint(a, port).ToString()).ToList());
    }

    private static IEnumerable<IPAddress> InterfaceAddresses(bool includeIPv6) =>
        NetworkInterface.GetAllNetworkInterfaces()
            .Where(n => n.OperationalStatus == OperationalStatus.Up)
            .SelectMany(n => n.GetIPProperties().UnicastAddresses.Select(u => u.Address))
            .Where(a => a.AddressFamily == AddressFamily.InterNetwork || (includeIPv6 && a.AddressFamily == AddressFamily.InterNetworkV6 && !a.IsIPv6LinkLocal))
            .Distinct()
            .OrderBy(a => IPAddress.IsLoopback(a))
            .ThenBy(a => a.AddressFamily == AddressFamily.InterNetworkV6);
}
