using System.Net;
using System.Net.Sockets;

namespace Aar.Protocol.Registry;

/// <summary>Opens TCP connections with keepalive on, for <see cref="SocketsHttpHandler.ConnectCallback"/>.</summary>
internal static class KeepAliveSocket
{
    /// <summary>Probes after <c>time</c> of silence, then every 10 s; 3 unanswered probes close the socket (about time + 30 s).</summary>
    public static async ValueTask<Stream> ConnectAsync(DnsEndPoint endpoint, TimeSpan time, CancellationToken cancellationToken)
    {
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            socket.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.KeepAlive, true);
            socket.SetSocketOption(SocketOptionLevel.Tcp, SocketOptionName.TcpKeepAliveTime, Math.Max(1, (int)time.TotalSeconds));
            socket.SetSocketOption(SocketOptionLevel.Tcp, SocketOptionName.TcpKeepAliveInterval, 10);
            socket.SetSocketOption(SocketOptionLevel.Tcp, SocketOptionName.TcpKeepAliveRetryCount, 3);
            await socket.ConnectAsync(endpoint, cancellationToken);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }
}
