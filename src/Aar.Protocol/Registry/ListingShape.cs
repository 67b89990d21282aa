namespace Aar.Protocol.Registry;

/// <summary>
/// What the strict JSON reader cannot refuse in a listing: null array elements, and an application named twice per
/// architecture. A registry never sends either; a listing that does cannot be trusted to say which versions exist (or
/// who owns them), so none of it is used, signed or not.
/// </summary>
public static class ListingShape
{
    /// <summary>Null when the applications are well formed; otherwise the end of a sentence saying what is wrong.</summary>
    public static string? Problem(IReadOnlyList<ApplicationRecord> applications)
    {
        if (applications.Any(a => a is null || a.Versions.Any(v => v is null)))
        {
            return "holds null entries, which this API never sends";
        }

        return applications.GroupBy(a => (a.Name, a.Architecture)).FirstOrDefault(g => g.Count() > 1) is { } twice
            ? $"names '{twice.Key.Name}' ({twice.Key.Architecture}) more than once, which this API never sends"
            : null;
    }
}
