using System.CommandLine;
using Aar.Cli.Common;

namespace Amc.Cli.Applications;

/// <summary>The <c>amc application</c> group.</summary>
internal static class ApplicationCommands
{
    public static Command Create(Option<string> dataDirectory, CliConsole console)
    {
        var application = new Command("application", "Manage applications and their versions");
        application.Subcommands.Add(UploadCommands.Create(dataDirectory, console));
        application.Subcommands.Add(UploadCommands.Update(dataDirectory, console));
        application.Subcommands.Add(PublishCommands.Publish(dataDirectory, console));
        application.Subcommands.Add(PublishCommands.Revoke(dataDirectory, console));
        application.Subcommands.Add(ListCommand.Create(dataDirectory, console));
        application.Subcommands.Add(ShowCommand.Create(dataDirectory, console));
        application.Subcommands.Add(DeleteCommand.Create(dataDirectory, console));
        return application;
    }
}
