using System.Text.RegularExpressions;

namespace EndToEnd.Tests.Monitoring;

/// <summary>
/// Just enough PromQL reading to list the metric names a query uses: strings, label matchers, range and offset
/// durations, grouping label lists and Grafana variables are dropped, then every remaining identifier that is not
/// followed by "(" (a function or an aggregation) and is not a keyword names a metric.
/// </summary>
internal static partial class PromQl
{
    private static readonly HashSet<string> Keywords = new(StringComparer.Ordinal)
    {
        "and", "or", "unless", "bool", "by", "without", "on", "ignoring", "group_left", "group_right", "offset", "inf", "nan",
    };

    /// <summary>The metric names <paramref name="expression"/> reads.</summary>
    public static IReadOnlySet<string> MetricNames(string expression)
    {
        var text = GrafanaVariable().Replace(expression, "");
        text = QuotedString().Replace(text, "\"\"");
        text = LabelMatchers().Replace(text, "");
        text = RangeSelector().Replace(text, "");
        text = GroupingLabels().Replace(text, "");
        return Identifier().Matches(text)
            .Where(m => !Keywords.Contains(m.Value.ToLowerInvariant()) && !FollowedByParenthesis(text, m.Index + m.Length))
            .Select(m => m.Value)
            .ToHashSet(StringComparer.Ordinal);
    }

    /// <summary>The Grafana variables (<c>$name</c>, <c>${name}</c>) <paramref name="expression"/> uses.</summary>
    public static IEnumerable<string> Variables(string expression) =>
        GrafanaVariable().Matches(expression).Select(m => m.Groups["name"].Value);

    private static bool FollowedByParenthesis(string text, int index)
    {
        while (index < text.Length && char.IsWhiteSpace(text[index]))
        {
            index++;
        }

        return index < text.Length && text[index] == '(';
    }

    [GeneratedRegex(@"\$\{?(?<name>[A-Za-z_][A-Za-z0-9_]*)\}?")]
    private static partial Regex GrafanaVariable();

    [GeneratedRegex(@"""(?:[^""\\]|\\.)*""")]
    private static partial Regex QuotedString();

    [GeneratedRegex(@"\{[^}]*\}")]
    private static partial Regex LabelMatchers();

    [GeneratedRegex(@"\[[^\]]*\]")]
    private static partial Regex RangeSelector();

    [GeneratedRegex(@"\b(?:by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)")]
    private static partial Regex GroupingLabels();

    // Numbers (0.95, 1e3) and durations (5m) start with a digit, so they are not matched.
    [GeneratedRegex(@"(?<![A-Za-z0-9_:.])[A-Za-z_:][A-Za-z0-9_:]*")]
    private static partial Regex Identifier();
}
