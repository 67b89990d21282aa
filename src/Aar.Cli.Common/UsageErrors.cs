using System.CommandLine;
using System.CommandLine.Parsing;

namespace Aar.Cli.Common;

/// <summary>
/// A command line that does not parse is reported in one line plus a hint, as <c>lxc</c> and <c>docker</c> do:
/// <c>Error: unknown command "ad" for "aar trust".</c> then <c>Did you mean 'aar trust add'? Run 'aar trust --help'
/// for usage.</c> (exit 1). The parser finds the errors; this only words them. A suggestion is offered only for a
/// close match among the command's own subcommands or options. Several bad option values are each reported on their
/// own <c>Error:</c> line before the one hint.
/// </summary>
public static class UsageErrors
{
    public static int Report(string program, ParseResult parse, CliConsole console)
    {
        ArgumentNullException.ThrowIfNull(parse);
        ArgumentNullException.ThrowIfNull(console);
        var commandResult = parse.CommandResult;
        var command = commandResult.Command;
        var path = Path(program, commandResult);
        string message;
        List<string> suggestions = [];
        if (parse.UnmatchedTokens.Count > 0)
        {
            var token = parse.UnmatchedTokens[0];
            if (token.StartsWith('-') && token.Length > 1)
            {
                message = $"unknown option \"{token}\" for \"{path}\".";
                suggestions = Closest(token, OptionNames(commandResult));
            }
            else if (command.Subcommands.Count > 0)
            {
                message = $"unknown command \"{token}\" for \"{path}\".";
                suggestions = Closest(token, command.Subcommands.Where(c => !c.Hidden).SelectMany(c => c.Aliases.Prepend(c.Name))).Select(s => $"{path} {s}").ToList();
            }
            else
            {
                message = $"unexpected argument \"{token}\" for \"{path}\".";
            }
        }
        else if (command.Subcommands.Count > 0 && command.Action is null && parse.Errors.All(e => e.SymbolResult is null or CommandResult))
        {
            message = $"\"{path}\" needs a command: {string.Join(", ", command.Subcommands.Where(c => !c.Hidden).Select(c => c.Name))}.";
        }
        else if (command.Arguments.FirstOrDefault(a => a.Arity.MinimumNumberOfValues > 0 && parse.GetResult(a) is not ArgumentResult { Tokens.Count: > 0 }) is { } missing)
        {
            message = $"\"{path}\" needs its <{missing.Name}> argument.";
        }
        else
        {
            // Bad option values: every one of them, one line each, so a daemon's command line is fixed in one go.
            message = string.Join("\nError: ", parse.Errors.Select(Sentence).Distinct(StringComparer.Ordinal));
        }

        console.Error.WriteLine($"Error: {message}");
        var hint = $"Run '{path} --help' for usage.";
        console.Error.WriteLine(suggestions.Count == 0 ? hint : $"Did you mean {string.Join(" or ", suggestions.Select(s => $"'{s}'"))}? {hint}");
        return ExitCodes.Usage;
    }

    private static string Path(string program, CommandResult result)
    {
        var names = new List<string>();
        for (SymbolResult? current = result; current is not null; current = current.Parent)
        {
            if (current is CommandResult { Command: var c } && c is not RootCommand)
            {
                names.Add(c.Name);
            }
        }

        names.Add(program);
        names.Reverse();
        return string.Join(' ', names);
    }

    /// <summary>The parser's message, with a plain sentence instead of a .NET type name for a value that does not parse.</summary>
    private static string Sentence(ParseError error)
    {
        var message = error.Message;
        if (error.SymbolResult is OptionResult { Tokens.Count: 0, Implicit: false } empty && empty.Option.Arity.MinimumNumberOfValues > 0)
        {
            return $"{empty.IdentifierToken?.Value ?? empty.Option.Name} needs a value.";
        }

        if (message.Contains("as expected type", StringComparison.Ordinal))
        {
            var (name, tokens) = error.SymbolResult switch
            {
                OptionResult option => (option.Option.Name, option.Tokens),
                ArgumentResult argument => (argument.Argument.Name, argument.Tokens),
                _ => ("the value", (IReadOnlyList<Token>)[]),
            };
            var value = tokens.Count > 0 ? tokens[^1].Value : "";
            message = $"'{value}' is not a valid value for {name}.";
        }

        message = message.Trim();
        return message.EndsWith('.') ? message : message + ".";
    }

    private static List<string> OptionNames(CommandResult result)
    {
        var names = new List<string>(result.Command.Options.Where(o => !o.Hidden).SelectMany(o => o.Aliases.Prepend(o.Name)));
        for (var parent = result.Parent as CommandResult; parent is not null; parent = parent.Parent as CommandResult)
        {
            names.AddRange(parent.Command.Options.Where(o => o.Recursive && !o.Hidden).SelectMany(o => o.Aliases.Prepend(o.Name)));
        }

        return names;
    }

    /// <summary>
    /// The names at the smallest edit distance from <paramref name="typed"/> (a swap of two letters counts as one), if
    /// that distance is small for its length; otherwise none. Avoids suggesting <c>-h</c> for any short typo.
    /// </summary>
    private static List<string> Closest(string typed, IEnumerable<string> candidates)
    {
        var scored = candidates.Distinct(StringComparer.Ordinal)
            .Select(c => (Name: c, Distance: Distance(typed.ToLowerInvariant(), c.ToLowerInvariant())))
            .Where(c => c.Distance <= (typed.TrimStart('-').Length <= 4 ? 1 : 2) && c.Name.TrimStart('-').Length > 1)
            .ToList();
        if (scored.Count == 0)
        {
            return [];
        }

        var best = scored.Min(c => c.Distance);
        return scored.Where(c => c.Distance == best).Select(c => c.Name).Take(3).ToList();
    }

    /// <summary>Optimal string alignment distance (Levenshtein plus adjacent transpositions).</summary>
    private static int Distance(string a, string b)
    {
        var d = new int[a.Length + 1, b.Length + 1];
        for (var i = 0; i <= a.Length; i++)
        {
            d[i, 0] = i;
        }

        for (var j = 0; j <= b.Length; j++)
        {
            d[0, j] = j;
        }

        for (var i = 1; i <= a.Length; i++)
        {
            for (var j = 1; j <= b.Length; j++)
            {
                var cost = a[i - 1] == b[j - 1] ? 0 : 1;
                d[i, j] = Math.Min(Math.Min(d[i - 1, j] + 1, d[i, j - 1] + 1), d[i - 1, j - 1] + cost);
                if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
                {
                    d[i, j] = Math.Min(d[i, j], d[i - 2, j - 2] + 1);
                }
            }
        }

        return d[a.Length, b.Length];
    }
}
