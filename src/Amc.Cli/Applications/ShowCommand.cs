using System.CommandLine;
using Aar.Cli.Common;
using Aar.Protocol.Management;

namespace Amc.Cli.Applications;

/// <summary><c>amc application show &lt;app&gt; [--format yaml|json]</c>.</summary>
internal static class ShowCommand
{
    public static Command Create(Option<string> dataDirectory, CliConsole console)
    {
        var application = new Argument<string>("application") { Description = "Application id or name" };
        var format = OutputFormatOption.Create(OutputFormat.Yaml, OutputFormat.Json);
        var command = new Command("show", "Show an application with all its versions") { application, format };
        command.SetAction(async (parse, cancellationToken) =>
        {
            using var client = ManagementClient.ForDataDirectory(parse.GetValue(dataDirectory)!);
            var result = await client.GetApplicationAsync(parse.GetValue(application)!, cancellationToken);
            if (!result.Succeeded)
            {
                return ProblemReporter.Report(console, result);
            }

            DataWriter.Write(console, parse.GetValue(format).Format, result.Value!, ManagementJsonContext.Default.ApplicationInfo);

            return ExitCodes.Ok;
        });
        return command;
    }
}
