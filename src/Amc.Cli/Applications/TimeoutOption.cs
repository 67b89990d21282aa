using System.CommandLine;
using Aar.Protocol.Text;

namespace Amc.Cli.Applications;

/// <summary><c>-t/--timeout</c> as the original takes it: a duration such as 30s, 5m or 1h (default 5m).</summary>
internal static class TimeoutOption
{
    private const string Default = "5m";

    /// <summary>A text option (so help shows "[default: 5m]"), checked at parse time; read it with <see cref="Value"/>.</summary>
    public static Option<string> Create(string what)
    {
        var option = new Option<string>("--timeout", "-t")
        {
            Description = $"How long to wait for {what}: a duration such as 30s, 5m or 1h",
            DefaultValueFactory = _ => Default,
        };
        option.Validators.Add(result =>
        {
            var text = result.GetValueOrDefault<string>();
            if (!DurationText.TryParse(text, out var timeout) || timeout <= TimeSpan.Zero)
            {
                result.AddError($"--timeout '{text}' is not a duration: use a number with a unit, such as 30s, 5m or 1h.");
            }
        });
        return option;
    }

    public static TimeSpan Value(ParseResult parse, Option<string> option) =>
        DurationText.TryParse(parse.GetValue(option), out var timeout) ? timeout : TimeSpan.FromMinutes(5);
}
