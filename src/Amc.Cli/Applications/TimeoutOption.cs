using System.CommandLine;
using Aar.Protocol.Cli;

namespace Amc.Cli.Applications;

/// <summary><c>-t/--timeout</c> as the original takes it: a duration such as 30s, 5m or 1h (default 5m).</summary>
internal static class TimeoutOption
{
    public static Option<TimeSpan> Create(string what) => new("--timeout", "-t")
    {
        Description = $"How long to wait for {what}: a duration such as 30s, 5m or 1h (default 5m)",
        DefaultValueFactory = _ => TimeSpan.FromMinutes(5),
        CustomParser = result =>
        {
            var text = result.Tokens.Count == 0 ? "5m" : result.Tokens[0].Value;
            if (DurationText.TryParse(text, out var timeout) && timeout > TimeSpan.Zero)
            {
                return timeout;
            }

            result.AddError($"--timeout '{text}' is not a duration: use a number with a unit, such as 30s, 5m or 1h.");
            return TimeSpan.Zero;
        },
    };
}
