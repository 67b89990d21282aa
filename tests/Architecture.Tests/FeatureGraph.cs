using System.Text;

namespace Architecture.Tests;

/// <summary>One type's use of another across feature folders, with the members it is made from.</summary>
internal sealed record FeatureEdge(string FromFolder, string ToFolder, string FromNamespace, string ToNamespace,
    string FromType, string ToType, IReadOnlySet<string> Members)
{
    public override string ToString() =>
        $"{FromNamespace} -> {ToNamespace} : {FromType} -> {ToType}"
        + (Members.Count > 0 ? $" ({string.Join(", ", Members.Order(StringComparer.Ordinal))})" : "");
}

/// <summary>
/// The dependencies between the feature folders of one assembly. A feature folder is the namespace's first segment
/// after the assembly's root namespace: <c>Aar.Server.Storage.S3</c> belongs to <c>Aar.Server.Storage</c>. Types
/// directly in the root namespace form a folder of their own; types outside it (generated code such as
/// System.Text.RegularExpressions.Generated) belong to none.
/// </summary>
internal sealed class FeatureGraph
{
    private readonly string _root;

    public FeatureGraph(string assemblyName, string rootNamespace, string? without = null)
    {
        _root = rootNamespace;
        var edges = new Dictionary<(string From, string To), (string FromNs, string ToNs, SortedSet<string> Members)>();
        foreach (var type in OurAssemblies.Model.Types.Where(type => TypeNames.AssemblyOf(type) == assemblyName))
        {
            foreach (var dependency in type.Dependencies)
            {
                var fromNs = TypeNames.Namespace(dependency.Origin);
                var toNs = TypeNames.Namespace(dependency.Target);
                if (FolderOf(fromNs) is not { } fromFolder || FolderOf(toNs) is not { } toFolder || fromFolder == toFolder || fromFolder == without || toFolder == without
                    || TypeNames.AssemblyOf(dependency.Target) != assemblyName)
                {
                    continue;
                }
                var key = ($"{fromFolder}\n{TypeNames.Short(dependency.Origin)}", $"{toFolder}\n{TypeNames.Short(dependency.Target)}");
                if (!edges.TryGetValue(key, out var edge))
                {
                    edge = (fromNs, toNs, new SortedSet<string>(StringComparer.Ordinal));
                    edges[key] = edge;
                }
                if (TypeNames.Member(dependency) is { } member)
                {
                    edge.Members.Add(member);
                }
            }
        }
        Edges = [.. edges.Select(pair =>
        {
            var (fromFolder, fromType) = Split(pair.Key.From);
            var (toFolder, toType) = Split(pair.Key.To);
            return new FeatureEdge(fromFolder, toFolder, pair.Value.FromNs, pair.Value.ToNs, fromType, toType, pair.Value.Members);
        })];
        Cycles = StronglyConnected([.. Edges.Select(edge => (edge.FromFolder, edge.ToFolder)).Distinct()]);
    }

    /// <summary>Every type-to-type edge between two different feature folders of the assembly.</summary>
    public IReadOnlyList<FeatureEdge> Edges { get; }

    /// <summary>The groups of folders that reach each other (strongly connected components of two or more).</summary>
    public IReadOnlyList<IReadOnlyList<string>> Cycles { get; }

    /// <summary>The edges that take part in a cycle: both ends in the same group of <see cref="Cycles"/>.</summary>
    public IReadOnlyList<FeatureEdge> CycleEdges =>
        [.. Edges.Where(edge => Cycles.Any(cycle => cycle.Contains(edge.FromFolder) && cycle.Contains(edge.ToFolder)))];

    /// <summary>The edges into <paramref name="folder"/> from every other folder.</summary>
    public IReadOnlyList<FeatureEdge> EdgesInto(string folder) => [.. Edges.Where(edge => edge.ToFolder == folder)];

    public string? FolderOf(string ns)
    {
        if (ns == _root)
        {
            return _root;
        }
        if (!ns.StartsWith(_root + ".", StringComparison.Ordinal))
        {
            return null;
        }
        var dot = ns.IndexOf('.', _root.Length + 1);
        return dot < 0 ? ns : ns[..dot];
    }

    /// <summary>
    /// The edges grouped by folder pair, the pair with the most edges first, one line per type-to-type edge:
    /// <c>FromNamespace -> ToNamespace : FromType -> ToType (members)</c>.
    /// </summary>
    public static string Report(IEnumerable<FeatureEdge> edges)
    {
        var text = new StringBuilder();
        var groups = edges.GroupBy(edge => (edge.FromFolder, edge.ToFolder))
            .OrderByDescending(group => group.Count())
            .ThenBy(group => group.Key.FromFolder, StringComparer.Ordinal)
            .ThenBy(group => group.Key.ToFolder, StringComparer.Ordinal);
        foreach (var group in groups)
        {
            text.AppendLine(FormattableString.Invariant($"## {group.Key.FromFolder} -> {group.Key.ToFolder} ({group.Count()} edges)"));
            foreach (var edge in group.OrderBy(edge => edge.FromType, StringComparer.Ordinal).ThenBy(edge => edge.ToType, StringComparer.Ordinal))
            {
                text.AppendLine(edge.ToString());
            }
        }
        return text.ToString();
    }

    private static (string Folder, string Type) Split(string key)
    {
        var newline = key.IndexOf('\n', StringComparison.Ordinal);
        return (key[..newline], key[(newline + 1)..]);
    }

    /// <summary>Tarjan's strongly connected components, keeping those of two or more folders.</summary>
    private static List<IReadOnlyList<string>> StronglyConnected(IReadOnlyList<(string From, string To)> arcs)
    {
        var next = arcs.GroupBy(arc => arc.From).ToDictionary(group => group.Key, group => group.Select(arc => arc.To).Order(StringComparer.Ordinal).ToList());
        var nodes = arcs.SelectMany(arc => new[] { arc.From, arc.To }).Distinct().Order(StringComparer.Ordinal).ToList();
        var index = new Dictionary<string, int>();
        var low = new Dictionary<string, int>();
        var stack = new Stack<string>();
        var onStack = new HashSet<string>();
        var components = new List<IReadOnlyList<string>>();
        var counter = 0;

        void Visit(string node)
        {
            index[node] = low[node] = counter++;
            stack.Push(node);
            onStack.Add(node);
            foreach (var target in next.GetValueOrDefault(node) ?? [])
            {
                if (!index.ContainsKey(target))
                {
                    Visit(target);
                    low[node] = Math.Min(low[node], low[target]);
                }
                else if (onStack.Contains(target) && index.TryGetValue(target, out var targetIndex))
                {
                    low[node] = Math.Min(low[node], targetIndex);
                }
            }
            if (low[node] == index[node])
            {
                var component = new List<string>();
                string member;
                do
                {
                    member = stack.Pop();
                    onStack.Remove(member);
                    component.Add(member);
                }
                while (member != node);
                if (component.Count > 1)
                {
                    components.Add([.. component.Order(StringComparer.Ordinal)]);
                }
            }
        }

        foreach (var node in nodes.Where(node => !index.ContainsKey(node)))
        {
            Visit(node);
        }
        return components;
    }
}
