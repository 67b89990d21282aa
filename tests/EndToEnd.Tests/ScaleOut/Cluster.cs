using Xunit.Abstractions;

namespace EndToEnd.Tests.ScaleOut;

/// <summary>
/// One registry made of several <c>aar serve</c> processes sharing one PostgreSQL database (fresh per test) and one S3
/// bucket on the real radosgw (fresh per test), all serving the same server certificate and key, optionally behind
/// HAProxy. The shared services come from the environment that <c>.ci/run</c> sets (see <see cref="SharedServices"/>).
/// </summary>
internal sealed class Cluster : IAsyncDisposable
{
    private readonly ITestOutputHelper _output;
    private readonly TestSupport.TempDirectory _root = new("scale");
    private readonly SharedServices.Allocation _services;
    private readonly List<RegistryNode> _nodes = [];
    private LoadBalancer? _balancer;
    private TestSupport.TcpProxy? _databaseProxy;

    private Cluster(ITestOutputHelper output, SharedServices.Allocation services)
    {
        _output = output;
        _services = services;
    }

    public IReadOnlyList<RegistryNode> Nodes => _nodes;

    public LoadBalancer Balancer => _balancer ?? throw new InvalidOperationException("No load balancer was started.");

    public string Root => _root.Path;

    /// <summary>Starts <paramref name="nodes"/> registry nodes; the first generates the certificate the others copy.</summary>
    public static async Task<Cluster> StartAsync(ITestOutputHelper output, int nodes)
    {
        var cluster = new Cluster(output, await SharedServices.AllocateAsync());
        try
        {
            for (var i = 0; i < nodes; i++)
            {
                await cluster.AddNodeAsync();
            }
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }

        return cluster;
    }

    /// <summary>The shared database and bucket, for <c>aar migrate</c> and <c>aar serve</c>.</summary>
    public IReadOnlyList<string> ServeArguments => _services.ServeArguments;

    public IReadOnlyDictionary<string, string> ServeEnvironment => _services.ServeEnvironment;

    /// <summary>
    /// Restarts an existing registry (same data directory, port and certificate) on the shared backends: it becomes
    /// the first node, whose certificate the nodes added next copy.
    /// </summary>
    public async Task AdoptAsync(RegistryNode existing)
    {
        await existing.RestartWithAsync(_services.ServeArguments, _services.ServeEnvironment);
        _nodes.Insert(0, existing);
    }

    /// <summary>
    /// The proxy between one node and the database (<see cref="AddNodeAsync"/> with <c>ownDatabaseProxy</c>):
    /// stopping it takes that node's database away while the other nodes keep theirs.
    /// </summary>
    public TestSupport.TcpProxy DatabaseProxy => _databaseProxy ?? throw new InvalidOperationException("No node was started behind a database proxy.");

    /// <param name="ownDatabaseProxy">Reach the database through <see cref="DatabaseProxy"/> (one node per cluster).</param>
    public async Task<RegistryNode> AddNodeAsync(bool ownDatabaseProxy = false)
    {
        var root = _root.Combine($"node{_nodes.Count}");
        var arguments = _services.ServeArguments;
        if (ownDatabaseProxy)
        {
            _databaseProxy = _services.Database.StartProxy();
            // Short timeouts: a node whose database is gone must say so in seconds, as a production node would with a
            // bounded pool.
            var through = _services.Database.ConnectionStringThrough(_databaseProxy, commandTimeout: 3);
            arguments = [.. arguments.Select(a => a == _services.Database.ConnectionString ? through : a)];
        }

        var node = _nodes.Count == 0
            ? await RegistryNode.StartNodeAsync(root, null, null, arguments, _services.ServeEnvironment)
            : await RegistryNode.StartNodeAsync(root, Path.Combine(_nodes[0].DataDirectory, "certs", "server.crt"), Path.Combine(_nodes[0].DataDirectory, "certs", "server.key"), arguments, _services.ServeEnvironment);
        _nodes.Add(node);
        return node;
    }

    public async Task<LoadBalancer> StartBalancerAsync(string balance = "roundrobin")
    {
        _balancer = await LoadBalancer.StartAsync(_root.Combine("haproxy"), _nodes, balance);
        return _balancer;
    }

    public async ValueTask DisposeAsync()
    {
        if (_balancer is not null)
        {
            await _balancer.DisposeAsync();
            _output.WriteLine($"--- haproxy ---\n{_balancer.Log}");
        }

        for (var i = 0; i < _nodes.Count; i++)
        {
            await _nodes[i].DisposeAsync();
            _output.WriteLine($"--- aar node{i} ({_nodes[i].DataDirectory}) ---\n{_nodes[i].Log}");
        }

        _databaseProxy?.Dispose();
        await _services.DisposeAsync();
        _root.Dispose();
    }
}
