using ArchUnitNET.Domain;
using ArchUnitNET.Domain.Dependencies;

namespace Architecture.Tests;

/// <summary>Names of types and members as a reader finds them in the source, not as the compiler emits them.</summary>
internal static class TypeNames
{
    /// <summary>
    /// The type as written in the source: <c>Aar.Server.Uploads.UploadEndpoints</c> for the state machine
    /// <c>UploadEndpoints+&lt;Upload&gt;d__3</c>, nested types as <c>Outer.Inner</c>, generic arity dropped.
    /// </summary>
    public static string Readable(IType type) => Namespace(type) is { Length: > 0 } ns ? $"{ns}.{Short(type)}" : Short(type);

    /// <summary>The simple name of the type's assembly (ArchUnitNET gives some as full display names).</summary>
    public static string AssemblyOf(IType type) => type.Assembly?.Name?.Split(',')[0] ?? "";

    /// <summary>The namespace of the type, or of the type it is nested in.</summary>
    public static string Namespace(IType type) => type.Namespace?.FullName ?? "";

    /// <summary>The type's name without its namespace, as in <see cref="Readable"/>.</summary>
    public static string Short(IType type)
    {
        var name = type.FullName;
        var ns = Namespace(type);
        if (ns.Length > 0 && name.StartsWith(ns + ".", StringComparison.Ordinal))
        {
            name = name[(ns.Length + 1)..];
        }
        var parts = new List<string>();
        foreach (var part in name.Split('+', '/'))
        {
            if (IsGenerated(part))
            {
                break;
            }
            parts.Add(StripArity(part));
        }
        return parts.Count > 0 ? string.Join('.', parts) : StripArity(name);
    }

    /// <summary>
    /// The member of the origin type a dependency comes from, as the source names it: a lambda or an async method's
    /// state machine is reported as the method it is written in.
    /// </summary>
    public static string? Member(ITypeDependency dependency)
    {
        var fromGeneratedType = GeneratedMethodName(dependency.Origin.FullName);
        if (dependency is IMemberTypeDependency member)
        {
            var name = member.OriginMember.Name;
            var paren = name.IndexOf('(', StringComparison.Ordinal);
            if (paren > 0)
            {
                name = name[..paren];
            }
            // <Upload>b__3_0 (a lambda), <Upload>g__Local|3_0 (a local function): the method they are written in.
            if (GeneratedMethodName(name) is { } written)
            {
                return written;
            }
            if (fromGeneratedType is not null)
            {
                return fromGeneratedType;
            }
            return name switch
            {
                ".ctor" => "constructor",
                ".cctor" => "static constructor",
                _ when name.StartsWith("get_", StringComparison.Ordinal) || name.StartsWith("set_", StringComparison.Ordinal) => name[4..],
                _ => name,
            };
        }
        return fromGeneratedType ?? dependency.GetType().Name switch
        {
            "InheritsBaseClassDependency" => "base class",
            "ImplementsInterfaceDependency" => "implements",
            "AttributeTypeDependency" => "attribute",
            "GenericArgumentTypeDependency" => "generic argument",
            var other => other.Replace("Dependency", "", StringComparison.Ordinal),
        };
    }

    private static bool IsGenerated(string part) => part.StartsWith('<');

    /// <summary>Foo for <c>&lt;Foo&gt;d__3</c>, <c>&lt;Foo&gt;b__3_0</c> or a type nested in one; null when none.</summary>
    private static string? GeneratedMethodName(string name)
    {
        foreach (var part in name.Split('+', '/', '.'))
        {
            if (part.StartsWith('<') && part.IndexOf('>', StringComparison.Ordinal) is > 1 and var end)
            {
                return part[1..end];
            }
        }
        return null;
    }

    private static string StripArity(string name)
    {
        var tick = name.IndexOf('`', StringComparison.Ordinal);
        return tick > 0 ? name[..tick] : name;
    }
}
