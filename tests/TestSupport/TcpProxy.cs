using System.Net;
using System.Net.Sockets;

namespace TestSupport;

/// <summary>
/// A loopback TCP forwarder to a real server (PostgreSQL, a registry), for fault tests: <see cref="Stop"/> cuts every
/// connection and refuses new ones, as a crashed or unreachable database would; <see cref="Start"/> brings it back on
/// the same port. <see cref="BytesFromTarget"/> counts what the server sent (e.g. whether a client downloaded a blob).
/// <see cref="BlackHole"/> makes chosen connections die silently instead: they stay open but carry nothing either way,
/// as a half-open TCP connection behind a failed router or firewall would. <see cref="BytesPerSecond"/> makes it a slow
/// link, so a transfer takes long enough to be interrupted at a chosen point.
/// </summary>
public sealed class TcpProxy : IDisposable
{
    private readonly IPEndPoint _target;
    private readonly List<Socket> _sockets = [];
    private readonly List<Forwarded> _forwarded = [];
    private readonly Lock _pace = new();
    private TcpListener? _listener;
    private CancellationTokenSource? _stopping;
    private long _bytesFromTarget;
    private long _bytesPerSecond;
    private long _paceFreeTicks;

    public TcpProxy(IPEndPoint target)
    {
        _target = target;
        Start();
    }

    public int Port { get; private set; }

    /// <summary>Bytes forwarded from the target to clients since the proxy was made (TLS records included).</summary>
    public long BytesFromTarget => Interlocked.Read(ref _bytesFromTarget);

    /// <summary>
    /// At most this many bytes a second cross the proxy, both directions and all connections together (0, the default:
    /// as fast as they come). Takes effect at once, also on open connections.
    /// </summary>
    public long BytesPerSecond
    {
        get => Interlocked.Read(ref _bytesPerSecond);
        set => Interlocked.Exchange(ref _bytesPerSecond, value);
    }

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
            _forwarded.Clear();
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
                try
                {
                    await server.ConnectAsync(_target, cancellationToken);
                }
                catch (SocketException)
                {
                    // The target is down (e.g. restarting): this connection fails as it would without the proxy, and
                    // the proxy keeps accepting for when the target is back.
                    server.Dispose();
                    client.Dispose();
                    continue;
                }

                var forwarded = new Forwarded(((IPEndPoint)server.LocalEndPoint!).Port);
                lock (_sockets)
                {
                    _sockets.Add(client);
                    _sockets.Add(server);
                    _forwarded.Add(forwarded);
                }

                _ = PumpAsync(client, server, forwarded, null);
                _ = PumpAsync(server, client, forwarded, count => Interlocked.Add(ref _bytesFromTarget, count));
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
        {
            // Stopped.
        }
    }

    /// <summary>
    /// From now on, drops every byte of the forwarded connections whose proxy-to-server side has one of
    /// <paramref name="serverSidePorts"/> as its local port (the <c>client_port</c> PostgreSQL shows in
    /// pg_stat_activity), without closing them. Returns how many connections were cut.
    /// </summary>
    public int BlackHole(IEnumerable<int> serverSidePorts)
    {
        var ports = serverSidePorts.ToHashSet();
        lock (_sockets)
        {
            var cut = _forwarded.Where(f => ports.Contains(f.ServerSidePort)).ToList();
            cut.ForEach(f => f.BlackHoled = true);
            return cut.Count;
        }
    }

    /// <summary>
    /// From now on, holds every piece that crosses the chosen connections (by <c>client_port</c>, as in
    /// <see cref="BlackHole"/>) for <paramref name="latency"/> before passing it on, in both directions: a slow path,
    /// or a process that reads its socket late. Returns how many connections are delayed.
    /// </summary>
    public int Delay(IEnumerable<int> serverSidePorts, TimeSpan latency)
    {
        var ports = serverSidePorts.ToHashSet();
        lock (_sockets)
        {
            var slowed = _forwarded.Where(f => ports.Contains(f.ServerSidePort)).ToList();
            slowed.ForEach(f => f.LatencyTicks = latency.Ticks);
            return slowed.Count;
        }
    }

    /// <summary>From now on, drops every byte of every connection forwarded so far (new ones still get through).</summary>
    public int BlackHoleAll()
    {
        lock (_sockets)
        {
            _forwarded.ForEach(f => f.BlackHoled = true);
            return _forwarded.Count;
        }
    }

    private async Task PumpAsync(Socket from, Socket to, Forwarded forwarded, Action<int>? counted)
    {
        var buffer = new byte[16 * 1024];
        try
        {
            int read;
            while ((read = await from.ReceiveAsync(buffer)) > 0)
            {
                counted?.Invoke(read);
                await PaceAsync(read);
                if (Interlocked.Read(ref forwarded.LatencyTicks) is > 0 and var latency)
                {
                    await Task.Delay(TimeSpan.FromTicks(latency));
                }

                if (!forwarded.BlackHoled)
                {
                    await to.SendAsync(buffer.AsMemory(0, read));
                }
            }

            if (!forwarded.BlackHoled)
            {
                to.Shutdown(SocketShutdown.Send);
            }
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
        {
            // One side went away (reset, or its process killed): the other side is reset too, as its own connection
            // would be without the proxy, instead of sending forever into a connection nobody reads any more.
            if (!forwarded.BlackHoled)
            {
                Reset(from);
                Reset(to);
            }
        }
    }

    private static void Reset(Socket socket)
    {
        try
        {
            socket.LingerState = new LingerOption(true, 0);
            socket.Close();
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
        {
            // Already closed.
        }
    }

    /// <summary>Waits until <paramref name="bytes"/> more fit in the rate: each piece gets the next free slot of the link.</summary>
    private async Task PaceAsync(int bytes)
    {
        var rate = BytesPerSecond;
        if (rate <= 0)
        {
            return;
        }

        TimeSpan wait;
        lock (_pace)
        {
            var now = DateTime.UtcNow.Ticks;
            var start = Math.Max(_paceFreeTicks, now);
            _paceFreeTicks = start + (bytes * TimeSpan.TicksPerSecond / rate);
            wait = TimeSpan.FromTicks(_paceFreeTicks - now);
        }

        await Task.Delay(wait);
    }

    public void Dispose()
    {
        Stop();
        _stopping?.Dispose();
    }

    private sealed class Forwarded(int serverSidePort)
    {
        public int ServerSidePort { get; } = serverSidePort;

        public volatile bool BlackHoled;

        public long LatencyTicks;
    }
}
