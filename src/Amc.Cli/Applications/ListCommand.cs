using System.CommandLine;
using Aar.Cli.Common;
using Aar.Protocol.Management;

namespace Amc.Cli.Applications;

/// <summary><c>amc application list|ls [--filter k=v]... [--format table|json|yaml|csv]</c>.</summary>
internal static class ListCommand
{
    public static Command Create(Option<string> dataDirectory, CliConsole console)
    {
        var filter = new Option<string[]>("--filter", "-f")
        {
            Description = "attribute=value (repeatable; all must match): id, name, status, instance-type, published, immutable, tags, addons, boot-package",
            AllowMultipleArgumentsPerToken = false,
        };
        var format = OutputFormatOption.Create(OutputFormat.Table, OutputFormat.Csv, OutputFormat.Json, OutputFormat.Yaml);
        var command = new Command("list", "List applications") { filter, format };
        command.Aliases.Add("ls");
        command.SetAction(async (parse, cancellationToken) =>
        {
            var filters = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var item in parse.GetValue(filter) ?? [])
            {
                var parts = item.Split('=', 2);
                if (parts.Length != 2 || parts[0].Length == 0)
                {
                    return ProblemReporter.Fail(console, $"--filter '{item}' is not attribute=value, e.g. --filter status=ready.", ExitCodes.Usage);
                }

                filters[parts[0]] = parts[1];
            }

            using var client = ManagementClient.ForDataDirectory(parse.GetValue(dataDirectory)!);
            var result = await client.ListApplicationsAsync(filters, cancellationToken);
            if (!result.Succeeded)
            {
                return ProblemReporter.Report(console, result);
            }

            var applications = result.Value!;
            switch (parse.GetValue(format).Format)
            {
                case var machine and (OutputFormat.Json or OutputFormat.Yaml):
                    DataWriter.Write(console, machine, applications, ManagementJsonContext.Default.ListApplicationInfo);
                    break;
                case OutputFormat.Csv:
                    DataWriter.WriteCsv(console, ApplicationOutput.ListHeaders, applications.Select(ApplicationOutput.Row));
                    break;
                default:
                    DataWriter.WriteTable(console, ApplicationOutput.ListHeaders, applications.Select(ApplicationOutput.Row));
                    break;
            }

            return ExitCodes.Ok;
        });
        return command;
    }
}
