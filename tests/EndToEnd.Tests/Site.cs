using Xunit.Abstractions;

namespace EndToEnd.Tests;

/// <summary>
/// One test's machines: a registry and AMS daemons as real processes on 127.0.0.1, each in its own directory under
/// one temporary root. Disposing stops them (SIGTERM, then kill) and copies their logs into the test output.
/// </summary>
internal sealed class Site(ITestOutputHelper output) : IAsyncDisposable
{
    private readonly TestSupport.TempDirectory _root = new("e2e");

    /// <summary>The site's root directory, for other processes' files (a Prometheus configuration and its storage).</summary>
    public string Root => _root.Path;
    private readonly List<RegistryNode> _registries = [];
    private readonly List<AmsNode> _ams = [];
    private (RegistryNode Registry, AmsNode Publisher, AmsNode? Client)? _joined;

    /// <summary>The registry <see cref="StartJoinedAsync"/> started.</summary>
    public RegistryNode Registry => _joined?.Registry ?? throw new InvalidOperationException("Not a site from StartJoinedAsync.");

    /// <summary>The publisher AMS ("pub") <see cref="StartJoinedAsync"/> started and joined.</summary>
    public AmsNode Publisher => _joined?.Publisher ?? throw new InvalidOperationException("Not a site from StartJoinedAsync.");

    /// <summary>The client AMS ("cli") <see cref="StartJoinedAsync"/> started and joined, unless asked for none.</summary>
    public AmsNode Client => _joined?.Client ?? throw new InvalidOperationException("This site has no client AMS.");

    /// <summary>
    /// The usual site: a registry, a publisher AMS "pub" and (unless <paramref name="withClient"/> is false) a client
    /// AMS "cli", started in that order and joined with one-step tokens. Stops what it started if a step fails. With
    /// <paramref name="withMetrics"/>, the AMS also serve <c>--metrics-listen</c> on a free port of 127.0.0.1 (the
    /// registry always does); <paramref name="registryArguments"/> are more <c>aar serve</c> options.
    /// </summary>
    public static async Task<Site> StartJoinedAsync(ITestOutputHelper output, bool withClient = true, bool withMetrics = false, IReadOnlyList<string>? registryArguments = null)
    {
        var site = new Site(output);
        try
        {
            var registry = await site.StartRegistryAsync(registryArguments);
            var publisher = await site.StartAmsAsync("pub", withMetrics: withMetrics);
            var client = withClient ? await site.StartAmsAsync("cli", withMetrics: withMetrics) : null;
            await JoinAsync(registry, publisher, "publisher");
            if (client is not null)
            {
                await JoinAsync(registry, client, "client");
            }

            site._joined = (registry, publisher, client);
            return site;
        }
        catch
        {
            await site.DisposeAsync();
            throw;
        }
    }

    public void Deconstruct(out RegistryNode registry, out AmsNode publisher, out AmsNode client) =>
        (registry, publisher, client) = (Registry, Publisher, Client);

    public void Deconstruct(out RegistryNode registry, out AmsNode publisher) => (registry, publisher) = (Registry, Publisher);

    public async Task<RegistryNode> StartRegistryAsync(IReadOnlyList<string>? serveArguments = null)
    {
        var registry = await RegistryNode.StartAsync(_root.Combine($"aar{_registries.Count}"), serveArguments);
        _registries.Add(registry);
        return registry;
    }

    public async Task<AmsNode> StartAmsAsync(string name, string architecture = "amd64", bool withMetrics = false)
    {
        var ams = await AmsNode.StartAsync(name, _root.Combine(name), architecture, withMetrics);
        _ams.Add(ams);
        return ams;
    }

    /// <summary>Copies a file from one host to another, as the seed's "copy the certificate to the machine" steps.</summary>
    public static string Copy(string file, string toDirectory, string name)
    {
        var target = Path.Combine(toDirectory, name);
        File.Copy(file, target, overwrite: true);
        return target;
    }

    /// <summary>
    /// Enrols <paramref name="ams"/> in one step: <c>aar trust token create [--publisher]</c> on the registry host, then
    /// <c>amc registry join &lt;token&gt;</c> on the AMS host.
    /// </summary>
    public static async Task JoinAsync(RegistryNode registry, AmsNode ams, string role)
    {
        var token = await registry.AarAsync(role == "publisher" ? ["trust", "token", "create", "--publisher"] : ["trust", "token", "create"]);
        Assert.True(token.ExitCode == 0, token.ToString());
        var join = await ams.AmcAsync("registry", "join", token.Out.Trim());
        Assert.True(join.ExitCode == 0, join.ToString());
        Assert.StartsWith($"Joined the registry at {registry.Url} as {role} ", join.Out, StringComparison.Ordinal);
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var ams in _ams)
        {
            await ams.DisposeAsync();
            output.WriteLine($"--- ams {ams.Name} ({ams.DataDirectory}) ---\n{ams.Log}");
        }

        foreach (var registry in _registries)
        {
            await registry.DisposeAsync();
            output.WriteLine($"--- aar ({registry.DataDirectory}) ---\n{registry.Log}");
        }

        _root.Dispose();
    }
}
