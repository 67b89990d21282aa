using System.CommandLine;
using Aar.Cli.Common;
using Aar.Protocol.Http;
using Aar.Protocol.Management;
using Aar.Protocol.Text;

namespace Amc.Cli.Applications;

/// <summary>
/// <c>amc wait &lt;app&gt; -c key=value [-c ...] [-s version=N] [-t 5m]</c>: waits until any condition holds
/// (conditions are OR-ed, as in the original), on the application or, with <c>-s</c>, on one version.
/// </summary>
internal static class WaitCommand
{
    private static readonly string[] Attributes = ["status", "published", "immutable"];

    public static Command Create(Option<string> dataDirectory, CliConsole console)
    {
        var application = new Argument<string>("application") { Description = "Application id or name" };
        var condition = new Option<string[]>("--condition", "-c") { Description = "key=value to wait for (repeatable, any may hold): status, published, immutable", Required = true };
        var selector = new Option<string?>("--selector", "-s") { Description = "Wait on one version instead of the application: version=N" };
        var timeout = TimeoutOption.Create("the condition");
        var command = new Command("wait", "Wait until an application (or one of its versions) reaches a condition") { application, condition, selector, timeout };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var conditions = new List<(string Key, string Value)>();
            foreach (var text in parse.GetValue(condition)!)
            {
                var parts = text.Split('=', 2);
                if (parts.Length != 2 || !Attributes.Contains(parts[0]))
                {
                    return ProblemReporter.Fail(console, $"condition '{text}' is not key=value with key {string.Join(", ", Attributes)}, e.g. -c status=ready.", ExitCodes.Usage);
                }

                conditions.Add((parts[0], parts[1]));
            }

            int? version = null;
            if (parse.GetValue(selector) is { } select)
            {
                if (!select.StartsWith("version=", StringComparison.Ordinal) || !int.TryParse(select["version=".Length..], out var number))
                {
                    return ProblemReporter.Fail(console, $"selector '{select}' is not version=N, e.g. -s version=1.", ExitCodes.Usage);
                }

                version = number;
            }

            using var client = ManagementClient.ForDataDirectory(parse.GetValue(dataDirectory)!);
            return await PollAsync(client, parse.GetValue(application)!, conditions, version, TimeoutOption.Value(parse, timeout), console, cancellationToken);
        });
        return command;
    }

    private static async Task<int> PollAsync(ManagementClient client, string name, List<(string Key, string Value)> conditions, int? version, TimeSpan timeout, CliConsole console, CancellationToken cancellationToken)
    {
        var deadline = DateTimeOffset.UtcNow + timeout;
        string state;
        while (true)
        {
            var result = await client.GetApplicationAsync(name, cancellationToken);
            // Not found yet is waited out (an import may still be running); anything else is final.
            if (!result.Succeeded && result.Problem!.Type != ProblemTypes.NotFound)
            {
                return ProblemReporter.Report(console, result.Problem);
            }

            var attributes = result.Succeeded ? AttributesOf(result.Value!, version) : null;
            if (attributes is not null && conditions.Any(c => string.Equals(attributes.GetValueOrDefault(c.Key), c.Value, StringComparison.OrdinalIgnoreCase)))
            {
                return ExitCodes.Ok;
            }

            state = !result.Succeeded ? "it does not exist"
                : attributes is null ? $"it has no version {version}"
                : $"its status is {attributes["status"]}, published {attributes["published"]}";
            if (DateTimeOffset.UtcNow >= deadline)
            {
                break;
            }

            await Task.Delay(TimeSpan.FromMilliseconds(250), cancellationToken);
        }

        var wanted = string.Join(" or ", conditions.Select(c => $"{c.Key}={c.Value}"));
        var problem = ManagementErrors.FromCode(state == "it does not exist" ? 404 : 409, $"Gave up waiting for '{name}'{(version is null ? "" : $" version {version}")} to reach {wanted} after {DurationText.Format(timeout)}: {state}.");
        return ProblemReporter.Report(console, problem);
    }

    private static Dictionary<string, string>? AttributesOf(ApplicationInfo application, int? version)
    {
        if (version is null)
        {
            return new() { ["status"] = application.Status, ["published"] = Flag(application.Published), ["immutable"] = Flag(application.Immutable) };
        }

        var match = application.Versions.FirstOrDefault(v => v.Number == version);
        return match is null ? null : new() { ["status"] = match.Status, ["published"] = Flag(match.Published), ["immutable"] = Flag(application.Immutable) };
    }

    private static string Flag(bool value) => value ? "true" : "false";
}
