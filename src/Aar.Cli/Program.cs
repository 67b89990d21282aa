using Aar.Cli;
using Aar.Cli.Common;

return await AarCommand.RunAsync(args, CliConsole.System);
