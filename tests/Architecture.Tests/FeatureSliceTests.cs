namespace Architecture.Tests;

/// <summary>
/// Every feature folder of the server and of the daemon is a slice: no folder reaches back to itself through the
/// others, and only the composition root (Hosting: the host, the serve options and their validator) uses the
/// composition root.
/// </summary>
public sealed class FeatureSliceTests
{
    [Fact]
    public void Server_feature_folders_are_free_of_cycles() => AssertNoCycles(OurAssemblies.Server, "Aar.Server");

    [Fact]
    public void Daemon_feature_folders_are_free_of_cycles() => AssertNoCycles(OurAssemblies.Daemon, "Ams.Daemon");

    [Fact]
    public void Server_feature_folders_do_not_use_the_composition_root() =>
        AssertNothingUsesHosting(OurAssemblies.Server, "Aar.Server");

    [Fact]
    public void Daemon_feature_folders_do_not_use_the_composition_root() =>
        AssertNothingUsesHosting(OurAssemblies.Daemon, "Ams.Daemon");

    private static void AssertNoCycles(string assembly, string rootNamespace)
    {
        var graph = new FeatureGraph(assembly, rootNamespace);
        Assert.True(graph.Cycles.Count == 0,
            $"The feature folders of {assembly} form cycles: "
            + string.Join("; ", graph.Cycles.Select(cycle => string.Join(", ", cycle)))
            + $".\nEvery edge that takes part in one:\n{FeatureGraph.Report(graph.CycleEdges)}");
    }

    // Within the assembly: the executables that run the host (aar serve, ams serve) use it as they should.
    private static void AssertNothingUsesHosting(string assembly, string rootNamespace)
    {
        var graph = new FeatureGraph(assembly, rootNamespace);
        var hosting = rootNamespace + ".Hosting";
        var uses = graph.EdgesInto(hosting);
        Assert.True(uses.Count == 0,
            $"Types outside {hosting} use it; the composition root must depend on the features, not the other way round:\n"
            + FeatureGraph.Report(uses));
    }
}
