using System.CommandLine;
using Aar.Cli.Common;
using Aar.Protocol;
using Aar.Protocol.Admin;

namespace Aar.Cli.Applications;

/// <summary><c>aar application list|show|delete</c>: the operator's view of what the registry holds.</summary>
internal static class ApplicationCommands
{
    public static Command Create(Option<string> dataDirectory, CliConsole console)
    {
        var application = new Command("application", "Manage the applications stored in the registry");
        application.Aliases.Add("app");
        application.Subcommands.Add(List(dataDirectory, console));
        application.Subcommands.Add(Show(dataDirectory, console));
        application.Subcommands.Add(Delete(dataDirectory, console));
        return application;
    }

    private static Command List(Option<string> dataDirectory, CliConsole console)
    {
        var format = OutputFormatOption.Create(OutputFormat.Table, OutputFormat.Csv, OutputFormat.Json, OutputFormat.Yaml);
        var architecture = new Option<string?>("--architecture", "-a") { Description = "Only applications of this architecture (e.g. amd64)" };
        var command = new Command("list", "List applications with their versions") { format, architecture };
        command.Aliases.Add("ls");
        command.SetAction(async (parse, cancellationToken) =>
        {
            using var client = AdminClient.ForDataDirectory(parse.GetValue(dataDirectory)!);
            var result = await client.ListApplicationsAsync(parse.GetValue(architecture), cancellationToken);
            if (!result.Succeeded)
            {
                return ProblemReporter.Report(console, result);
            }

            ApplicationOutput.WriteList(console, parse.GetValue(format).Format, result.Value!);
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command Show(Option<string> dataDirectory, CliConsole console)
    {
        var name = new Argument<string>("name") { Description = "Application name" };
        var architecture = new Option<string?>("--architecture", "-a") { Description = "Only this architecture (default: every architecture of the name)" };
        var format = OutputFormatOption.Create(OutputFormat.Yaml, OutputFormat.Json);
        var command = new Command("show", "Show an application's versions, digests, owner and manifest") { name, architecture, format };
        command.SetAction(async (parse, cancellationToken) =>
        {
            using var client = AdminClient.ForDataDirectory(parse.GetValue(dataDirectory)!);
            var result = await client.GetApplicationAsync(parse.GetValue(name)!, cancellationToken);
            if (!result.Succeeded)
            {
                return ProblemReporter.Report(console, result);
            }

            var wanted = parse.GetValue(architecture);
            var records = result.Value!.Where(r => wanted is null || r.Architecture == wanted).ToList();
            if (records.Count == 0)
            {
                return ProblemReporter.Fail(console, $"the registry has no application '{parse.GetValue(name)}' for architecture {wanted}.", ExitCodes.NotFound);
            }

            DataWriter.Write(console, parse.GetValue(format).Format, records, ProtocolJsonContext.Default.ListApplicationRecord);

            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command Delete(Option<string> dataDirectory, CliConsole console)
    {
        var name = new Argument<string>("name") { Description = "Application name" };
        var architecture = new Option<string?>("--architecture", "-a") { Description = "Architecture of the application to delete (e.g. amd64); needed only when the name exists for several" };
        var version = new Option<int?>("--version") { Description = "Delete only this version (default: the whole application)" };
        var yes = new Option<bool>("--yes", "-y") { Description = "Do not ask for confirmation" };
        var command = new Command("delete", "Delete an application or one version (clients remove it at their next pass)") { name, architecture, version, yes };
        command.Aliases.Add("rm");
        command.SetAction(async (parse, cancellationToken) =>
        {
            using var client = AdminClient.ForDataDirectory(parse.GetValue(dataDirectory)!);
            var (app, number) = (parse.GetValue(name)!, parse.GetValue(version));
            var arch = parse.GetValue(architecture);
            if (arch is null)
            {
                var found = await OnlyArchitectureAsync(client, app, console, cancellationToken);
                if (found.Architecture is null)
                {
                    return found.ExitCode;
                }

                arch = found.Architecture;
            }

            var what = number is null ? $"application '{app}' ({arch}) with all its versions" : $"version {number} of '{app}' ({arch})";
            if (!parse.GetValue(yes)
                && await Confirmation.AskAsync(console, $"Delete {what}? Clients will remove it at their next pass. [y/N] ", "delete", "deleted", enterMeansYes: false, cancellationToken) is { } stop)
            {
                return stop;
            }

            var result = await client.DeleteApplicationAsync(app, arch, number, cancellationToken);
            if (!result.Succeeded)
            {
                return ProblemReporter.Report(console, result);
            }

            await console.Out.WriteLineAsync($"Deleted {what} (generation {result.Value!.Generation}).");
            return ExitCodes.Ok;
        });
        return command;
    }

    /// <summary>
    /// The architecture of <paramref name="app"/> when it exists for exactly one, so that <c>-a</c> is needed only
    /// when the name is ambiguous; otherwise the reported failure's exit code.
    /// </summary>
    private static async Task<(string? Architecture, int ExitCode)> OnlyArchitectureAsync(AdminClient client, string app, CliConsole console, CancellationToken cancellationToken)
    {
        var result = await client.GetApplicationAsync(app, cancellationToken);
        if (!result.Succeeded)
        {
            return (null, ProblemReporter.Report(console, result));
        }

        var architectures = result.Value!.Select(r => r.Architecture).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        return architectures switch
        {
            [var only] => (only, ExitCodes.Ok),
            [] => (null, ProblemReporter.Fail(console, $"The registry has no application '{app}'.", ExitCodes.NotFound)),
            _ => (null, ProblemReporter.Fail(console, $"'{app}' exists for {string.Join(" and ", architectures)}; say which with -a/--architecture (e.g. -a {architectures[0]}).", ExitCodes.Conflict)),
        };
    }
}
