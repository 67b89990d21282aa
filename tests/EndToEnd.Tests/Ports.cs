using System.Net;
using System.Net.Sockets;

namespace EndToEnd.Tests;

internal static class Ports
{
    /// <summary>A TCP port free on 127.0.0.1 right now (the kernel's choice, so parallel runs do not collide).</summary>
    public static int Free()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
