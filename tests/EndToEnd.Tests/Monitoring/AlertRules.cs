namespace EndToEnd.Tests.Monitoring;

/// <summary>The <c>expr:</c> values of a Prometheus rules file (one line, or a block scalar on the lines below).</summary>
internal static class AlertRules
{
    public static IReadOnlyList<string> Expressions(string rulesFile)
    {
        var lines = File.ReadAllLines(rulesFile);
        var expressions = new List<string>();
        for (var i = 0; i < lines.Length; i++)
        {
            var trimmed = lines[i].TrimStart();
            if (!trimmed.StartsWith("expr:", StringComparison.Ordinal))
            {
                continue;
            }

            var value = trimmed["expr:".Length..].Trim();
            if (value is not (">-" or ">" or "|" or "|-"))
            {
                expressions.Add(value);
                continue;
            }

            var indent = lines[i].Length - trimmed.Length;
            var block = new List<string>();
            while (i + 1 < lines.Length && (lines[i + 1].Trim().Length == 0 || lines[i + 1].Length - lines[i + 1].TrimStart().Length > indent))
            {
                block.Add(lines[++i].Trim());
            }

            expressions.Add(string.Join(' ', block));
        }

        return expressions;
    }
}
