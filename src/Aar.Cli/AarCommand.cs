using System.CommandLine;
using Aar.Cli.Applications;
using Aar.Cli.Common;
using Aar.Cli.Migrate;
using Aar.Cli.Serve;
using Aar.Cli.Signing;
using Aar.Cli.Status;
using Aar.Cli.Trust;

namespace Aar.Cli;

/// <summary>The <c>aar</c> command tree.</summary>
internal static class AarCommand
{
    public static Task<int> RunAsync(IReadOnlyList<string> args, CliConsole console, CancellationToken cancellationToken = default) =>
        CliRunner.RunAsync("aar", Create(console), args, console, cancellationToken);

    public static RootCommand Create(CliConsole console)
    {
        var dataDirectory = DataDirectoryOption.Create();
        var root = new RootCommand($"""
            Anbox application registry (AAR): stores application versions and serves them to trusted AMS instances over mutual TLS.

            {ExitCodes.HelpText}
            """);
        root.Options.Add(dataDirectory);
        root.Options.Add(CliRunner.VerboseOption);
        root.Subcommands.Add(ServeCommand.Create(dataDirectory));
        root.Subcommands.Add(TrustCommands.Create(dataDirectory, console));
        root.Subcommands.Add(ApplicationCommands.Create(dataDirectory, console));
        root.Subcommands.Add(StatusCommands.Status(dataDirectory, console));
        root.Subcommands.Add(StatusCommands.Storage(dataDirectory, console));
        root.Subcommands.Add(MigrateCommand.Create(dataDirectory, console));
        root.Subcommands.Add(SigningKeyCommands.Create(dataDirectory, console));
        root.Subcommands.Add(IndexCommands.Create(dataDirectory, console));
        return root;
    }
}
