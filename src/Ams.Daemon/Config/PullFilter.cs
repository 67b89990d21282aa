using System.IO.Enumeration;
using Aar.Protocol.Registry;

namespace Ams.Daemon.Config;

/// <summary>
/// <c>registry.filter</c>: which registry applications a pull imports. A comma-separated list of entries: a bare
/// entry (or <c>tag=X</c>) is a tag, <c>name=GLOB</c> a name pattern with <c>*</c> (any run of characters) and
/// <c>?</c> (one character). An application is imported when it carries one of the tags (or no tag is given) and its
/// name matches one of the patterns (or no pattern is given). Tags are selected by the registry; names here.
/// </summary>
internal sealed record PullFilter(IReadOnlyList<string> Tags, IReadOnlyList<string> NamePatterns)
{
    public const string NamePrefix = "name=";
    public const string TagPrefix = "tag=";

    /// <summary>Longest accepted name pattern; longer than any name so that a pattern can spell a whole one.</summary>
    public const int MaxPatternLength = ApplicationName.MaxLength * 2;

    public static readonly PullFilter All = new([], []);

    /// <summary>Reads a value <see cref="ConfigKeys"/> has already normalized (every entry valid).</summary>
    public static PullFilter Parse(string normalized)
    {
        var entries = normalized.Split(',', StringSplitOptions.RemoveEmptyEntries);
        return new PullFilter(
            [.. entries.Where(e => !e.StartsWith(NamePrefix, StringComparison.Ordinal)).Select(e => e.StartsWith(TagPrefix, StringComparison.Ordinal) ? e[TagPrefix.Length..] : e)],
            [.. entries.Where(e => e.StartsWith(NamePrefix, StringComparison.Ordinal)).Select(e => e[NamePrefix.Length..])]);
    }

    /// <summary>A name pattern is what a name may hold plus <c>*</c> and <c>?</c>.</summary>
    public static bool IsValidPattern(string pattern) =>
        pattern.Length is > 0 and <= MaxPatternLength
        && pattern.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '.' or '-' or '*' or '?');

    /// <summary>Whether <paramref name="name"/> passes the name patterns (the registry has applied the tags).</summary>
    public bool Matches(string name) =>
        NamePatterns.Count == 0
        // The platform's simple-expression matcher: '*' and '?' only, linear in the name for these patterns.
        || NamePatterns.Any(pattern => FileSystemName.MatchesSimpleExpression(pattern, name, ignoreCase: false));

    /// <summary>The canonical text, which changes exactly when the selection does.</summary>
    public override string ToString() =>
        string.Join(',', Tags.Select(t => t.StartsWith(NamePrefix, StringComparison.Ordinal) ? TagPrefix + t : t).Concat(NamePatterns.Select(p => NamePrefix + p)));
}
