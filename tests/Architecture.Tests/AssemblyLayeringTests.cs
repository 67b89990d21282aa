namespace Architecture.Tests;

/// <summary>
/// Which of our assemblies may use which, read from each assembly's metadata references (the compiler records a
/// reference only when code uses the other assembly, so a ProjectReference alone does not count).
/// </summary>
public sealed class AssemblyLayeringTests
{
    private static readonly string[] s_executables = [.. OurAssemblies.Executables.Keys];

    [Fact]
    public void Protocol_references_none_of_ours_but_Aar_IO() =>
        AssertReferencesOnly(OurAssemblies.Protocol, OurAssemblies.IO);

    [Fact]
    public void Cli_common_references_only_the_protocol_and_Aar_IO() =>
        AssertReferencesOnly(OurAssemblies.CliCommon, OurAssemblies.Protocol, OurAssemblies.IO);

    [Fact]
    public void Server_references_neither_the_daemon_nor_any_cli() =>
        AssertReferencesNone(OurAssemblies.Server, [OurAssemblies.Daemon, OurAssemblies.CliCommon, .. s_executables]);

    [Fact]
    public void Daemon_references_neither_the_server_nor_any_cli() =>
        AssertReferencesNone(OurAssemblies.Daemon, [OurAssemblies.Server, OurAssemblies.CliCommon, .. s_executables]);

    [Fact]
    public void Hosting_kit_references_only_the_protocol_and_Aar_IO() =>
        AssertReferencesOnly(OurAssemblies.HostingKit, OurAssemblies.Protocol, OurAssemblies.IO);

    [Fact]
    public void IO_references_none_of_ours() => AssertReferencesOnly(OurAssemblies.IO);

    private static void AssertReferencesOnly(string assembly, params string[] allowed)
    {
        var forbidden = OurAssemblies.ReferencesOf(assembly).Where(name => !allowed.Contains(name, StringComparer.Ordinal)).ToList();
        Assert.True(forbidden.Count == 0, Explain(assembly, forbidden,
            allowed.Length == 0 ? "none of ours" : "only " + string.Join(" and ", allowed.Select(OurAssemblies.Display))));
    }

    private static void AssertReferencesNone(string assembly, string[] forbidden)
    {
        var found = OurAssemblies.ReferencesOf(assembly).Where(name => forbidden.Contains(name, StringComparer.Ordinal)).ToList();
        Assert.True(found.Count == 0, Explain(assembly, found,
            "none of " + string.Join(", ", forbidden.Select(OurAssemblies.Display))));
    }

    private static string Explain(string assembly, List<string> offending, string rule) =>
        $"{OurAssemblies.Display(assembly)} may reference {rule}, but references "
        + string.Join("; ", offending.Select(target =>
            $"{OurAssemblies.Display(target)}, through:\n  " + string.Join("\n  ", OurAssemblies.TypeEdges(assembly, target))));
}
