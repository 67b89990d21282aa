using System.CommandLine;
using Aar.Cli.Common;
using Aar.Protocol.Management;

namespace Amc.Cli.Registry;

/// <summary><c>amc registry status|sync|list|join|push|pull|retry|certificate|verify</c>: how this AMS exchanges applications with a registry.</summary>
internal static class RegistryCommands
{
    public static Command Create(Option<string> dataDirectory, CliConsole console)
    {
        var registry = new Command("registry", "Sync with the application registry: status, sync now, list, join, push or pull one application, retry a rejected one, renew the client certificate, verify a package offline");
        registry.Subcommands.Add(Status(dataDirectory, console));
        registry.Subcommands.Add(SyncCommand.Create(dataDirectory, console));
        registry.Subcommands.Add(List(dataDirectory, console));
        registry.Subcommands.Add(Join(dataDirectory, console));
        registry.Subcommands.Add(Move("push", "Push one application's published versions to the registry now (publisher)", dataDirectory, console));
        registry.Subcommands.Add(Move("pull", "Pull one application from the registry now (client)", dataDirectory, console));
        registry.Subcommands.Add(Move("retry", "Forget why one application's registry versions were rejected and pull it now (client)", dataDirectory, console));
        registry.Subcommands.Add(CertificateCommands.Create(dataDirectory, console));
        registry.Subcommands.Add(VerifyCommand.Create(dataDirectory, console));
        return registry;
    }

    private static Command Status(Option<string> dataDirectory, CliConsole console)
    {
        var format = OutputFormatOption.Create(OutputFormat.Yaml, OutputFormat.Json, OutputFormat.Table);
        var command = new Command("status", "Show the registry configuration, the last and next sync pass, transfers in flight and conflicts") { format };
        command.SetAction(async (parse, cancellationToken) =>
        {
            using var client = ManagementClient.ForDataDirectory(parse.GetValue(dataDirectory)!);
            var result = await client.GetRegistryStatusAsync(cancellationToken);
            if (!result.Succeeded)
            {
                return ProblemReporter.Report(console, result);
            }

            if (parse.GetValue(format).Format == OutputFormat.Table)
            {
                RegistryStatusTable.Write(console, result.Value!);
            }
            else
            {
                DataWriter.Write(console, parse.GetValue(format).Format, result.Value!, ManagementJsonContext.Default.RegistryStatus);
            }

            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command List(Option<string> dataDirectory, CliConsole console)
    {
        var format = OutputFormatOption.Create(OutputFormat.Table, OutputFormat.Csv, OutputFormat.Json, OutputFormat.Yaml);
        var command = new Command("list", "List what the registry holds (every architecture)") { format };
        command.Aliases.Add("ls");
        command.SetAction(async (parse, cancellationToken) =>
        {
            using var client = ManagementClient.ForDataDirectory(parse.GetValue(dataDirectory)!);
            var result = await client.ListRegistryAsync(cancellationToken);
            if (!result.Succeeded)
            {
                return ProblemReporter.Report(console, result);
            }

            RegistryOutput.List(console, parse.GetValue(format).Format, result.Value!);
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command Join(Option<string> dataDirectory, CliConsole console)
    {
        var token = new Argument<string>("token") { Description = "The token printed by 'aar trust token create' on the registry host" };
        var command = new Command("join", "Enrol this AMS with a registry in one step: trust it, be trusted by it, set registry.url, registry.fingerprint and registry.mode") { token };
        command.SetAction(async (parse, cancellationToken) =>
        {
            using var client = ManagementClient.ForDataDirectory(parse.GetValue(dataDirectory)!);
            var result = await client.JoinRegistryAsync(parse.GetValue(token)!, cancellationToken);
            if (!result.Succeeded)
            {
                return ProblemReporter.Report(console, result);
            }

            var joined = result.Value!;
            await console.Out.WriteLineAsync($"Joined the registry at {joined.Url} as {joined.Role} (server fingerprint {joined.Fingerprint}); registry.mode is now {joined.Mode}.");
            await console.Out.WriteLineAsync("A first sync pass starts now; follow it with 'amc registry status'.");
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command Move(string direction, string description, Option<string> dataDirectory, CliConsole console)
    {
        var application = new Argument<string>("application") { Description = direction == "push" ? "Application id or name" : "Application name on the registry" };
        var format = OutputFormatOption.Create(OutputFormat.Yaml, OutputFormat.Json);
        var command = new Command(direction, description) { application, format };
        command.SetAction(async (parse, cancellationToken) =>
        {
            using var client = ManagementClient.ForDataDirectory(parse.GetValue(dataDirectory)!);
            var name = parse.GetValue(application)!;
            var result = direction switch
            {
                "push" => await client.PushApplicationAsync(name, cancellationToken),
                "retry" => await client.RetryRegistryAsync(name, cancellationToken),
                _ => await client.PullApplicationAsync(name, cancellationToken),
            };
            if (!result.Succeeded)
            {
                return ProblemReporter.Report(console, result);
            }

            return RegistryOutput.Report(console, parse.GetValue(format).Format, result.Value!);
        });
        return command;
    }
}
