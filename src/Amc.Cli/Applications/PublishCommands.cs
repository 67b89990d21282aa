using System.CommandLine;
using Aar.Cli.Common;
using Aar.Protocol.Management;

namespace Amc.Cli.Applications;

/// <summary><c>amc application publish|revoke &lt;app&gt; &lt;version&gt;</c>: only published versions are pushed to a registry.</summary>
internal static class PublishCommands
{
    public static Command Publish(Option<string> dataDirectory, CliConsole console) =>
        Create("publish", "Publish an application version (only published versions are pushed to a registry)", true, dataDirectory, console);

    public static Command Revoke(Option<string> dataDirectory, CliConsole console) =>
        Create("revoke", "Revoke (unpublish) an application version", false, dataDirectory, console);

    private static Command Create(string name, string description, bool published, Option<string> dataDirectory, CliConsole console)
    {
        var application = new Argument<string>("application") { Description = "Application id or name" };
        var version = new Argument<int>("version") { Description = "Version number (0, 1, 2, ...)" };
        var timeout = TimeoutOption.Create("the change (accepted for compatibility: the change is immediate)");
        var command = new Command(name, description) { application, version, timeout };
        command.SetAction(async (parse, cancellationToken) =>
        {
            using var client = ManagementClient.ForDataDirectory(parse.GetValue(dataDirectory)!);
            var result = await client.SetPublishedAsync(parse.GetValue(application)!, parse.GetValue(version), published, cancellationToken);
            if (!result.Succeeded)
            {
                return ProblemReporter.Report(console, result);
            }

            await console.Out.WriteLineAsync($"Version {parse.GetValue(version)} of '{result.Value!.Name}' is {(published ? "published" : "revoked")}.");
            return ExitCodes.Ok;
        });
        return command;
    }
}
