using Aar.Cli.Common;
using Ams.Cli;

return await AmsCommand.RunAsync(args, CliConsole.System);
