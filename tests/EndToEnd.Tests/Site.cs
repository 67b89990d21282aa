using Xunit.Abstractions;

namespace EndToEnd.Tests;

/// <summary>
/// One test's machines: a registry and AMS daemons as real processes on 127.0.0.1, each in its own directory under
/// one temporary root. Disposing stops them (SIGTERM, then kill) and copies their logs into the test output.
/// </summary>
internal sealed class Site(ITestOutputHelper output) : IAsyncDisposable
{
    private readonly TestSupport.TempDirectory _root = new("e2e");
    private readonly List<RegistryNode> _registries = [];
    private readonly List<AmsNode> _ams = [];

    public async Task<RegistryNode> StartRegistryAsync()
    {
        var registry = await RegistryNode.StartAsync(_root.Combine($"aar{_registries.Count}"));
        _registries.Add(registry);
        return registry;
    }

    public async Task<AmsNode> StartAmsAsync(string name, string architecture = "amd64")
    {
        var ams = await AmsNode.StartAsync(name, _root.Combine(name), architecture);
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
