using System.Net.Sockets;
using System.Text;

namespace TestSupport;

/// <summary>
/// Plays systemd's side of <c>Type=notify</c>: the datagram socket a service finds in <c>NOTIFY_SOCKET</c> and sends
/// <c>READY=1</c>, <c>STOPPING=1</c> to. Start the daemon with <see cref="ChildProcess.StartUnderSystemdParent"/>.
/// </summary>
public sealed class SystemdNotifySocket : IDisposable
{
    private readonly Socket _socket = new(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);

    public SystemdNotifySocket(string path)
    {
        Path = path;
        _socket.Bind(new UnixDomainSocketEndPoint(path));
    }

    public string Path { get; }

    /// <summary>The next message, e.g. <c>READY=1</c>; throws <see cref="OperationCanceledException"/> after <paramref name="timeout"/>.</summary>
    public async Task<string> ReceiveAsync(TimeSpan timeout)
    {
        using var cancellation = new CancellationTokenSource(timeout);
        var buffer = new byte[4096];
        var length = await _socket.ReceiveAsync(buffer, SocketFlags.None, cancellation.Token);
        return Encoding.UTF8.GetString(buffer, 0, length).Trim();
    }

    public void Dispose()
    {
        _socket.Dispose();
        File.Delete(Path);
    }
}
