using System.Net;
using System.Net.Sockets;

namespace TestSupport;

/// <summary>
/// A loopback TCP forwarder to a real server (PostgreSQL, a registry), for fault tests: <see cref="Stop"/> cuts every
/// connection and refuses new ones, as a crashed or unreachable database would; <see cref="Start"/> brings it back on
/// the same port. <see cref="BytesFromTarget"/> counts what the server sent (e.g. whether a client downloaded a blob).
/// </summary>
public sealed class TcpProxy : IDisposable
{
    private readonly IPEndPoint _target;
    private readonly List<Socket> _sockets = [];
    private TcpListener? _listener;
    private CancellationTokenSource? _stopping;
    private long _bytesFromTarget;

    public TcpProxy(IPEndPoint target)
    {
        _target = target;
        Start();
    }

    public int Port { get; private set; }

    /// <summary>Bytes forwarded from the target to clients since the proxy was made (TLS records included).</summary>
    public long BytesFromTarget => Interlocked.Read(ref _bytesFromTarget);

    public void Start()
    {
        _listener = new TcpListener(IPAddress.Loopback, Port);
        _listener.Server.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
        _listener.Start();
        Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
        _stopping = new CancellationTokenSource();
        _ = AcceptAsync(_listener, _stopping.Token);
    }

    /// <summary>Closes the listening socket and every forwarded connection.</summary>
    public void Stop()
    {
        _stopping?.Cancel();
        _listener?.Stop();
        lock (_sockets)
        {
            foreach (var socket in _sockets)
            {
                socket.Dispose();
            }

            _sockets.Clear();
        }
    }

    private async Task AcceptAsync(TcpListener listener, CancellationToken cancellationToken)
    {
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                var client = await listener.AcceptSocketAsync(cancellationToken);
                var server = new Socket(SocketType.Stream, ProtocolType.Tcp);
                await server.ConnectAsync(_target, cancellationToken);
                lock (_sockets)
                {
                    _sockets.Add(client);
                    _sockets.Add(server);
                }

                _ = PumpAsync(client, server, null);
                _ = PumpAsync(server, client, count => Interlocked.Add(ref _bytesFromTarget, count));
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
        {
            // Stopped.
        }
    }

    private static async Task PumpAsync(Socket from, Socket to, Action<int>? counted)
    {
        var buffer = new byte[16 * 1024];
        try
        {
            int read;
            while ((read = await from.ReceiveAsync(buffer)) > 0)
            {
                counted?.Invoke(read);
                await to.SendAsync(buffer.AsMemory(0, read));
            }

            to.Shutdown(SocketShutdown.Send);
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
        {
            // One side went away; Stop closes the other.
        }
    }

    public void Dispose()
    {
        Stop();
        _stopping?.Dispose();
    }
}
