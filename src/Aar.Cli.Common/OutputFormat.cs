using System.CommandLine;

namespace Aar.Cli.Common;

/// <summary>How a command prints data: a table for people, or csv/json/yaml for scripts.</summary>
public enum OutputFormat
{
    Table,
    Csv,
    Json,
    Yaml,
}

public static class OutputFormatOption
{
    /// <summary>A <c>--format</c> option limited to <paramref name="allowed"/>, defaulting to the first of them.</summary>
    public static Option<OutputFormat> Create(params OutputFormat[] allowed)
    {
        var names = allowed.Select(f => f.ToString().ToLowerInvariant()).ToArray();
        var option = new Option<OutputFormat>("--format")
        {
            Description = $"Output format: {string.Join(", ", names)}",
            DefaultValueFactory = _ => allowed[0],
            CustomParser = result =>
            {
                var text = result.Tokens.Count == 0 ? names[0] : result.Tokens[0].Value;
                var index = Array.IndexOf(names, text.ToLowerInvariant());
                if (index < 0)
                {
                    result.AddError($"--format '{text}' is unknown: use one of {string.Join(", ", names)}.");
                    return allowed[0];
                }

                return allowed[index];
            },
        };
        option.CompletionSources.Add(names);
        return option;
    }
}
