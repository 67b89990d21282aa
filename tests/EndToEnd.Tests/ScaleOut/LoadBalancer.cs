using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;
using System.Text;

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

    private readonly Process _process;
    private readonly StringBuilder _log = new();

    private LoadBalancer(Process process, int port)
    {
        _process = process;
        Port = port;
        _process.ErrorDataReceived += (_, e) => Append(e.Data);
        _process.OutputDataReceived += (_, e) => Append(e.Data);
        _process.BeginErrorReadLine();
        _process.BeginOutputReadLine();
    }

    public int Port { get; }

    public string Url => $"https://127.0.0.1:{Port}";

    public string Log
    {
        get
        {
            lock (_log)
            {
                return _log.ToString();
            }
        }
    }

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
        var info = new ProcessStartInfo(Executable)
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        // -db: stay in the foreground, so the test owns the process and its output.
        foreach (var arg in new[] { "-db", "-f", config })
        {
            info.ArgumentList.Add(arg);
        }

        var balancer = new LoadBalancer(Process.Start(info) ?? throw new InvalidOperationException("Could not start haproxy"), port);
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (!await AcceptsAsync(port))
        {
            if (balancer._process.HasExited || DateTime.UtcNow > deadline)
            {
                var log = balancer.Log;
                await balancer.DisposeAsync();
                throw new InvalidOperationException($"haproxy did not start:\n{log}");
            }

            await Task.Delay(50);
        }

        return balancer;
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

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_log)
        {
            _log.AppendLine(line);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill();
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
    }
}
