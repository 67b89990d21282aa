using Aar.Cli.Common;
using Amc.Cli;

return await AmcCommand.RunAsync(args, CliConsole.System);
