namespace Architecture.Tests;

/// <summary>The protocol assembly holds the wire code only: its CLI helpers and file helpers live elsewhere.</summary>
public sealed class ProtocolNamespaceTests
{
    private static readonly string[] s_movedOut = ["Aar.Protocol.Cli", "Aar.Protocol.IO"];

    [Fact]
    public void Protocol_has_no_cli_or_io_namespace()
    {
        var misplaced = OurAssemblies.All[OurAssemblies.Protocol].GetTypes()
            .Where(type => type.Namespace is { } ns
                && s_movedOut.Any(movedOut => ns == movedOut || ns.StartsWith(movedOut + ".", StringComparison.Ordinal)))
            .Where(type => !type.Name.StartsWith('<'))
            .Select(type => type.FullName)
            .Order(StringComparer.Ordinal)
            .ToList();
        Assert.True(misplaced.Count == 0,
            $"{OurAssemblies.Protocol} still has types in {string.Join(" or ", s_movedOut)}:\n  " + string.Join("\n  ", misplaced));
    }
}
