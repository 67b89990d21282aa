using System.CommandLine;
using Aar.Cli.Common;
using Aar.Protocol.Management;

namespace Amc.Cli.Applications;

/// <summary>
/// <c>amc application delete &lt;app&gt;... [--version N] [--all] [--force] [--yes]</c>. Asks first, as the original
/// does ("The following application will be REMOVED: ... [Y/n]"), unless <c>--yes</c>.
/// </summary>
internal static class DeleteCommand
{
    public static Command Create(Option<string> dataDirectory, CliConsole console)
    {
        var applications = new Argument<string[]>("application") { Description = "Application ids or names", Arity = ArgumentArity.ZeroOrMore };
        var version = new Option<int?>("--version") { Description = "Delete only this version (an application keeps at least one)" };
        var all = new Option<bool>("--all", "-a") { Description = "Delete every application on this AMS" };
        var force = new Option<bool>("--force", "-f") { Description = "Delete even if the application is immutable (imported from a registry)" };
        var yes = new Option<bool>("--yes", "-y") { Description = "Do not ask for confirmation" };
        var timeout = TimeoutOption.Create("the deletion (accepted for compatibility: deletion is immediate)");
        var noWait = new Option<bool>("--no-wait") { Description = "Accepted for compatibility: deletion is immediate" };
        var command = new Command("delete", "Delete applications or one of their versions") { applications, version, all, force, yes, timeout, noWait };
        command.Aliases.Add("rm");
        command.SetAction(async (parse, cancellationToken) =>
        {
            var names = parse.GetValue(applications) ?? [];
            var number = parse.GetValue(version);
            if (parse.GetValue(all) == (names.Length > 0) || (number is not null && names.Length != 1))
            {
                return ProblemReporter.Fail(console, "name the applications to delete, or pass --all (not both); --version needs exactly one application.", ExitCodes.Usage);
            }

            using var client = ManagementClient.ForDataDirectory(parse.GetValue(dataDirectory)!);
            if (parse.GetValue(all))
            {
                var list = await client.ListApplicationsAsync(cancellationToken: cancellationToken);
                if (!list.Succeeded)
                {
                    return ProblemReporter.Report(console, list);
                }

                names = list.Value!.Select(a => a.Name).ToArray();
                if (names.Length == 0)
                {
                    await console.Error.WriteLineAsync("There are no applications to delete.");
                    return ExitCodes.Ok;
                }
            }

            var what = number is null ? names.Select(n => $"  - {n}") : [$"  - {names[0]} version {number}"];
            if (!parse.GetValue(yes) && await ConfirmAsync(console, string.Join('\n', what), cancellationToken) is { } stop)
            {
                return stop;
            }

            foreach (var name in names)
            {
                var result = number is null
                    ? await client.DeleteApplicationAsync(name, parse.GetValue(force), cancellationToken)
                    : await client.DeleteVersionAsync(name, number.Value, parse.GetValue(force), cancellationToken);
                if (!result.Succeeded)
                {
                    return ProblemReporter.Report(console, result);
                }

                await console.Out.WriteLineAsync(number is null ? $"Application '{name}' deleted." : $"Version {number} of '{name}' deleted.");
            }

            return ExitCodes.Ok;
        });
        return command;
    }

    /// <summary>Returns an exit code to stop with, or null to go on. Enter alone means yes, as in the original's [Y/n].</summary>
    private static Task<int?> ConfirmAsync(CliConsole console, string what, CancellationToken cancellationToken) =>
        Confirmation.AskAsync(console, $"The following application will be REMOVED:\n{what}\nDo you want to continue? [Y/n]: ", "delete", "deleted", enterMeansYes: true, cancellationToken);
}
