using System.Reflection;
using ArchUnitNET.Loader;

namespace Architecture.Tests;

/// <summary>
/// Our assemblies, found by name in this test's output (the executables are referenced, so everything they use
/// lands here), and the ArchUnitNET model of them, built once.
/// </summary>
internal static class OurAssemblies
{
    public const string Protocol = "Aar.Protocol";
    public const string CliCommon = "Aar.Cli.Common";
    public const string Server = "Aar.Server";
    public const string Daemon = "Ams.Daemon";

    /// <summary>The daemon kit shared by both daemons (src/Aar.Hosting).</summary>
    public const string HostingKit = "Aar.Hosting";

    /// <summary>The durable file writes under the protocol (src/Aar.IO).</summary>
    public const string IO = "Aar.IO";

    /// <summary>The executables: projects Aar.Cli, Amc.Cli and Ams.Cli, assemblies named after their commands.</summary>
    public static readonly IReadOnlyDictionary<string, string> Executables = new Dictionary<string, string>
    {
        ["aar"] = "Aar.Cli",
        ["amc"] = "Amc.Cli",
        ["ams"] = "Ams.Cli",
    };

    private static readonly string[] s_required = [IO, Protocol, HostingKit, CliCommon, Server, Daemon, .. Executables.Keys];

    private static readonly Lazy<IReadOnlyDictionary<string, Assembly>> s_loaded = new(LoadAll);
    private static readonly Lazy<ArchUnitNET.Domain.Architecture> s_model =
        new(() => new ArchLoader().LoadAssemblies([.. s_loaded.Value.Values]).Build());

    /// <summary>Every assembly of ours that exists, by assembly name.</summary>
    public static IReadOnlyDictionary<string, Assembly> All => s_loaded.Value;

    public static ArchUnitNET.Domain.Architecture Model => s_model.Value;

    /// <summary>The assembly's name as the reader knows the project (aar is Aar.Cli).</summary>
    public static string Display(string assemblyName) =>
        Executables.TryGetValue(assemblyName, out var project) ? $"{project} ({assemblyName})" : assemblyName;

    /// <summary>Ours: the assemblies above, and any new one named like them (Aar.*, Ams.*, Amc.*).</summary>
    public static bool IsOurs(string assemblyName) =>
        Executables.ContainsKey(assemblyName)
        || assemblyName.StartsWith("Aar.", StringComparison.Ordinal)
        || assemblyName.StartsWith("Ams.", StringComparison.Ordinal)
        || assemblyName.StartsWith("Amc.", StringComparison.Ordinal);

    /// <summary>The names of our assemblies that <paramref name="assemblyName"/> references in its metadata.</summary>
    public static IReadOnlyList<string> ReferencesOf(string assemblyName) =>
        [.. All[assemblyName].GetReferencedAssemblies().Select(name => name.Name!).Where(IsOurs).Order(StringComparer.Ordinal)];

    /// <summary>
    /// The type-level dependencies from <paramref name="fromAssembly"/> into <paramref name="toAssembly"/>, one line
    /// each, to say which code makes an assembly reference that a rule forbids.
    /// </summary>
    public static IReadOnlyList<string> TypeEdges(string fromAssembly, string toAssembly)
    {
        var edges = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var type in Model.Types.Where(type => TypeNames.AssemblyOf(type) == fromAssembly))
        {
            foreach (var dependency in type.Dependencies)
            {
                if (TypeNames.AssemblyOf(dependency.Target) == toAssembly)
                {
                    edges.Add($"{TypeNames.Readable(dependency.Origin)} -> {TypeNames.Readable(dependency.Target)}");
                }
            }
        }
        return [.. edges];
    }

    private static Dictionary<string, Assembly> LoadAll()
    {
        var loaded = new Dictionary<string, Assembly>(StringComparer.Ordinal);
        foreach (var name in s_required)
        {
            loaded[name] = Assembly.Load(new AssemblyName(name));
        }
        // Any other assembly of ours among this test's dependencies (the trusted platform assemblies the host lists
        // from the .deps.json, so a stale file left in bin/ does not count): a new project is checked at once.
        var others = (AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES") as string ?? "")
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(Path.GetFileNameWithoutExtension)
            .OfType<string>()
            .Where(name => IsOurs(name) && !name.EndsWith(".Tests", StringComparison.Ordinal));
        foreach (var name in others.Where(name => !loaded.ContainsKey(name)).Distinct(StringComparer.Ordinal).ToList())
        {
            try
            {
                loaded[name] = Assembly.Load(new AssemblyName(name));
            }
            catch (FileNotFoundException)
            {
                // Listed but not loadable: no rule names it, so there is nothing to check.
            }
        }
        return loaded;
    }
}
