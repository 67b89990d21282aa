using System.CommandLine;
using System.Globalization;
using Aar.Cli.Common;
using Aar.Protocol.Management;
using Spectre.Console;

namespace Amc.Cli.Registry;

/// <summary>
/// <c>amc registry sync [--wait]</c>: a pass now. With <c>--wait</c> it shows the transfers of the pass (a progress bar
/// on a terminal, plain lines otherwise) and prints the report at the end.
/// </summary>
internal static class SyncCommand
{
    private static readonly TimeSpan PollEvery = TimeSpan.FromMilliseconds(500);

    public static Command Create(Option<string> dataDirectory, CliConsole console)
    {
        var wait = new Option<bool>("--wait", "-w") { Description = "Wait until the pass is over and print its report" };
        var format = OutputFormatOption.Create(OutputFormat.Yaml, OutputFormat.Json);
        var command = new Command("sync", "Run a sync pass now (push or pull, as registry.mode says)") { wait, format };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var dataDir = parse.GetValue(dataDirectory)!;
            using var client = ManagementClient.ForDataDirectory(dataDir);
            if (!parse.GetValue(wait))
            {
                var started = await client.SyncAsync(wait: false, cancellationToken);
                if (!started.Succeeded)
                {
                    return ProblemReporter.Report(console, started);
                }

                await console.Out.WriteLineAsync("A sync pass has started; follow it with 'amc registry status'.");
                return ExitCodes.Ok;
            }

            var pass = client.SyncAsync(wait: true, cancellationToken);
            using var poller = ManagementClient.ForDataDirectory(dataDir);
            await ShowTransfersAsync(console, poller, pass, cancellationToken);
            var result = await pass;
            return result.Succeeded ? RegistryOutput.Report(console, parse.GetValue(format).Format, result.Value!) : ProblemReporter.Report(console, result);
        });
        return command;
    }

    private static async Task ShowTransfersAsync(CliConsole console, ManagementClient poller, Task pass, CancellationToken cancellationToken)
    {
        if (!console.OutputIsTerminal)
        {
            var announced = new HashSet<string>(StringComparer.Ordinal);
            while (!pass.IsCompleted)
            {
                foreach (var transfer in await TransfersAsync(poller, cancellationToken))
                {
                    var key = $"{transfer.Direction} {transfer.Application} {transfer.Version}";
                    if (announced.Add(key))
                    {
                        await console.Error.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"{transfer.Direction[0..1].ToUpperInvariant()}{transfer.Direction[1..]}ing {transfer.Application} version {transfer.Version} ({transfer.Total / 1048576.0:F1} MiB)"));
                    }
                }

                await Task.WhenAny(pass, Task.Delay(PollEvery, cancellationToken));
            }

            return;
        }

        var ansi = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(console.Error), Interactive = InteractionSupport.Yes });
        await ansi.Progress()
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new DownloadedColumn(), new TransferSpeedColumn(), new RemainingTimeColumn())
            .StartAsync(async context =>
            {
                var tasks = new Dictionary<string, ProgressTask>(StringComparer.Ordinal);
                while (!pass.IsCompleted)
                {
                    foreach (var transfer in await TransfersAsync(poller, cancellationToken))
                    {
                        var key = $"{transfer.Direction} {transfer.Application} {transfer.Version}";
                        if (!tasks.TryGetValue(key, out var task))
                        {
                            task = tasks[key] = context.AddTask(Markup.Escape(key), maxValue: Math.Max(transfer.Total, 1));
                        }

                        task.Value = Math.Min(transfer.Bytes, transfer.Total);
                    }

                    await Task.WhenAny(pass, Task.Delay(PollEvery, cancellationToken));
                }

                foreach (var task in tasks.Values)
                {
                    task.Value = task.MaxValue;
                }
            });
    }

    private static async Task<IReadOnlyList<TransferInfo>> TransfersAsync(ManagementClient poller, CancellationToken cancellationToken)
    {
        var status = await poller.GetRegistryStatusAsync(cancellationToken);
        return status.Succeeded ? status.Value!.Transfers : [];
    }
}
