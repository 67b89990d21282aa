using System.CommandLine;

namespace Aar.Cli.Common;

/// <summary>How a command prints data: a table for people, or csv/json/yaml for scripts (docs/cli.md).</summary>
public enum OutputFormat
{
    Table,
    Csv,
    Json,
    Yaml,
}

/// <summary>
/// The value of a <c>--format</c> option. A wrapper only so that the help's <c>[default: table]</c> is lower-case like
/// the values (the parser prints a default with <see cref="ToString"/>, and an enum's name is capitalised).
/// </summary>
public readonly record struct ChosenFormat(OutputFormat Format)
{
    public override string ToString() => Format.ToString().ToLowerInvariant();
}

/// <summary>
/// The one <c>--format</c> option of both CLIs. Its help shows the values once, lower-case, and only those the
/// command can print (<c>--format &lt;table|csv|json|yaml&gt;</c>), so the help never offers what then fails.
/// </summary>
public static class OutputFormatOption
{
    public const string Name = "--format";

    /// <summary>A <c>--format</c> option limited to <paramref name="allowed"/>, defaulting to the first of them.</summary>
    public static Option<ChosenFormat> Create(params OutputFormat[] allowed)
    {
        ArgumentNullException.ThrowIfNull(allowed);
        var names = Names(allowed);
        var option = new Option<ChosenFormat>(Name)
        {
            Description = "Output format",
            HelpName = string.Join('|', names),
            DefaultValueFactory = _ => new(allowed[0]),
            CustomParser = result => new(Parse(result, allowed) ?? allowed[0]),
        };
        option.CompletionSources.Add(names);
        return option;
    }

    /// <summary>
    /// A <c>--format</c> option for a command whose default output is a message rather than data (a token, a
    /// summary): without the option the command prints that message; with it, the data in one of
    /// <paramref name="allowed"/>.
    /// </summary>
    public static Option<OutputFormat?> CreateOptional(string withoutIt, params OutputFormat[] allowed)
    {
        ArgumentNullException.ThrowIfNull(allowed);
        var names = Names(allowed);
        var option = new Option<OutputFormat?>(Name)
        {
            Description = $"Output format (default: {withoutIt})",
            HelpName = string.Join('|', names),
            CustomParser = result => Parse(result, allowed),
        };
        option.CompletionSources.Add(names);
        return option;
    }

    /// <summary>The values a <c>--format</c> option accepts, as its help shows them.</summary>
    public static IReadOnlyList<string> Values(Option option)
    {
        ArgumentNullException.ThrowIfNull(option);
        return option.HelpName?.Split('|') ?? [];
    }

    private static string[] Names(OutputFormat[] allowed) => allowed.Select(f => f.ToString().ToLowerInvariant()).ToArray();

    private static OutputFormat? Parse(System.CommandLine.Parsing.ArgumentResult result, OutputFormat[] allowed)
    {
        var names = Names(allowed);
        if (result.Tokens.Count == 0)
        {
            return null;
        }

        var text = result.Tokens[0].Value;
        var index = Array.IndexOf(names, text.ToLowerInvariant());
        if (index < 0)
        {
            result.AddError($"--format '{text}' is unknown: use one of {string.Join(", ", names)}.");
            return null;
        }

        return allowed[index];
    }
}
