using System.CommandLine;
using Aar.Cli.Common;
using Aar.Protocol.Management;

namespace Amc.Cli.Config;

/// <summary><c>amc config set|show</c> and the <c>trust</c> group.</summary>
internal static class ConfigCommands
{
    public static Command Create(Option<string> dataDirectory, CliConsole console)
    {
        var config = new Command("config", "Manage the AMS configuration and its registry trust list");
        config.Subcommands.Add(Set(dataDirectory, console));
        config.Subcommands.Add(Show(dataDirectory, console));
        config.Subcommands.Add(TrustCommands.Create(dataDirectory, console));
        return config;
    }

    private static Command Set(Option<string> dataDirectory, CliConsole console)
    {
        var key = new Argument<string>("key") { Description = "registry.url, registry.fingerprint, registry.update_interval, registry.mode, registry.filter or application.auto_publish" };
        var value = new Argument<string>("value") { Description = "The new value; an empty string (\"\") restores the default" };
        var command = new Command("set", "Set a configuration item") { key, value };
        command.SetAction(async (parse, cancellationToken) =>
        {
            using var client = ManagementClient.ForDataDirectory(parse.GetValue(dataDirectory)!);
            var result = await client.SetConfigAsync(parse.GetValue(key)!, parse.GetValue(value)!, cancellationToken);
            return result.Succeeded ? ExitCodes.Ok : ProblemReporter.Report(console, result);
        });
        return command;
    }

    private static Command Show(Option<string> dataDirectory, CliConsole console)
    {
        var format = OutputFormatOption.Create(OutputFormat.Yaml, OutputFormat.Json);
        var command = new Command("show", "Show every configuration item with its effective value (defaults included)") { format };
        command.SetAction(async (parse, cancellationToken) =>
        {
            using var client = ManagementClient.ForDataDirectory(parse.GetValue(dataDirectory)!);
            var result = await client.GetConfigAsync(cancellationToken);
            if (!result.Succeeded)
            {
                return ProblemReporter.Report(console, result);
            }

            DataWriter.Write(console, parse.GetValue(format).Format, result.Value!, ManagementJsonContext.Default.ConfigGet);

            return ExitCodes.Ok;
        });
        return command;
    }
}
