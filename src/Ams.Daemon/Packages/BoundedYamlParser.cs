using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace Ams.Daemon.Packages;

/// <summary>
/// Hands YAML parser events on while counting nesting depth and nodes, and refuses the manifest as soon as either
/// passes its limit. <see cref="YamlDotNet.RepresentationModel.YamlStream"/> builds its tree by recursion, one
/// frame per level: a 536-byte manifest of 200,000 nested '[' overflowed the stack and killed the daemon (a stack
/// overflow cannot be caught). Counting events as the tree is built stops it a few frames deep.
/// </summary>
internal sealed class BoundedYamlParser(IParser inner, int maxDepth, int maxNodes) : IParser
{
    private int _depth;
    private int _nodes;

    public ParsingEvent? Current => inner.Current;

    public bool MoveNext()
    {
        if (!inner.MoveNext())
        {
            return false;
        }

        var current = inner.Current;
        if (current is MappingEnd or SequenceEnd)
        {
            _depth--;
            return true;
        }

        if (current is not NodeEvent)
        {
            return true;
        }

        if (++_nodes > maxNodes)
        {
            throw new PackageException($"manifest.yaml line {current.Start.Line}: more than {maxNodes} values, keys and lists; a manifest holds a few dozen (the limit is {maxNodes}).");
        }

        if (current is MappingStart or SequenceStart && ++_depth > maxDepth)
        {
            throw new PackageException($"manifest.yaml line {current.Start.Line}, column {current.Start.Column}: nested more than {maxDepth} levels deep; a manifest needs at most 3 (the limit is {maxDepth}).");
        }

        return true;
    }
}
