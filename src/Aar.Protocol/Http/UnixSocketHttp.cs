using System.Net.Sockets;

namespace Aar.Protocol.Http;

/// <summary>HTTP over a unix domain socket: how the CLIs talk to their local daemon.</summary>
public static class UnixSocketHttp
{
    /// <summary>Creates a client whose every connection goes to <paramref name="socketPath"/>.</summary>
    public static HttpClient CreateClient(string socketPath, TimeSpan? timeout = null)
    {
        var handler = new SocketsHttpHandler
        {
            ConnectCallback = async (_, cancellationToken) =>
            {
                var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
                try
                {
                    await socket.ConnectAsync(new UnixDomainSocketEndPoint(socketPath), cancellationToken);
                    return new NetworkStream(socket, ownsSocket: true);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            },
        };
        return new HttpClient(handler)
        {
            // The host name is never resolved: the connect callback decides where bytes go.
            BaseAddress = new Uri("http://localhost/"),
            Timeout = timeout ?? TimeSpan.FromMinutes(5),
        };
    }
}
