using System.CommandLine;
using Aar.Cli.Common;
using Amc.Cli.Applications;
using Amc.Cli.Config;
using Amc.Cli.Registry;

namespace Amc.Cli;

/// <summary>The <c>amc</c> command tree: a thin client of the AMS local API on <c>&lt;data&gt;/unix.socket</c>.</summary>
internal static class AmcCommand
{
    /// <summary>
    /// Runs one command. Everything it prints passes a <see cref="TerminalSafeWriter"/>: names, descriptions and
    /// problem details come from registries and packages, and must not drive the operator's terminal.
    /// </summary>
    public static Task<int> RunAsync(IReadOnlyList<string> args, CliConsole console, CancellationToken cancellationToken = default)
    {
        var safe = console.WithTerminalSafeOutput();
        return CliRunner.RunAsync("amc", Create(safe), args, safe, cancellationToken);
    }

    public static RootCommand Create(CliConsole console)
    {
        var dataDirectory = DataDirectoryOption.Create();
        var root = new RootCommand($"""
            Anbox management client (amc): manage the applications, configuration and registry trust of an AMS.

            {ExitCodes.HelpText}
            """);
        root.Options.Add(dataDirectory);
        root.Options.Add(CliRunner.VerboseOption);
        root.Subcommands.Add(ApplicationCommands.Create(dataDirectory, console));
        root.Subcommands.Add(WaitCommand.Create(dataDirectory, console));
        root.Subcommands.Add(ConfigCommands.Create(dataDirectory, console));
        root.Subcommands.Add(RegistryCommands.Create(dataDirectory, console));
        return root;
    }
}
