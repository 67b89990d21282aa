using System.Globalization;
using System.Net.Sockets;

namespace EndToEnd.Tests.ScaleOut;

/// <summary>
/// HAProxy from Debian in TCP pass-through mode in front of registry nodes: the TLS handshake (and so the AMS's
/// client certificate) goes through untouched to whichever node takes the connection, as in a real deployment.
/// Every 200 ms HAProxy asks each node's <c>/readyz</c> on its metrics listener, so a node that is dead, or alive but
/// without its database, blob store or current trust snapshot, is taken out of rotation; a connection refused by a
/// node is retried on another.
/// </summary>
internal sealed class LoadBalancer : IAsyncDisposable
{
    public const string Executable = "/usr/sbin/haproxy";

    private readonly ServiceProcess _process;

    private LoadBalancer(ServiceProcess process, int port)
    {
        _process = process;
        Port = port;
    }

    public int Port { get; }

    public string Url => $"https://127.0.0.1:{Port}";

    /// <summary>HAProxy's output so far, server state changes included ("Server nodes/node0 is DOWN").</summary>
    public string Log => _process.Log;

    /// <summary>
    /// Starts HAProxy on a free port in front of <paramref name="nodes"/>. <paramref name="balance"/> is HAProxy's
    /// algorithm: <c>roundrobin</c> spreads connections; <c>first</c> sends all to the first live node, so a test knows
    /// which node serves until it dies.
    /// </summary>
    public static async Task<LoadBalancer> StartAsync(string directory, IReadOnlyList<RegistryNode> nodes, string balance = "roundrobin")
    {
        var port = Ports.Free();
        var config = Path.Combine(directory, "haproxy.cfg");
        Directory.CreateDirectory(directory);
        await File.WriteAllTextAsync(config, Configuration(port, nodes, balance));
        // -db: stay in the foreground, so the test owns the process and its output.
        var process = await ServiceProcess.StartAsync(Executable, ["-db", "-f", config], () => AcceptsAsync(port), TimeSpan.FromSeconds(20));
        return new LoadBalancer(process, port);
    }

    private static string Configuration(int port, IReadOnlyList<RegistryNode> nodes, string balance)
    {
        var servers = string.Join('\n', nodes.Select((node, i) =>
            string.Create(CultureInfo.InvariantCulture, $"    server node{i} 127.0.0.1:{node.Port} check port {node.MetricsPort} inter 200ms fall 1 rise 1")));
        return $"""
            global
                maxconn 2000
            defaults
                mode tcp
                timeout connect 2s
                timeout client 10m
                timeout server 10m
                retries 3
                option redispatch
            frontend registry
                bind 127.0.0.1:{port}
                default_backend nodes
            backend nodes
                balance {balance}
                option httpchk GET /readyz
                http-check expect status 200
            {servers}

            """;
    }

    private static async Task<bool> AcceptsAsync(int port)
    {
        try
        {
            using var client = new TcpClient();
            await client.ConnectAsync("127.0.0.1", port);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    public ValueTask DisposeAsync() => _process.DisposeAsync();
}
