using System.Globalization;
using Aar.Cli.Common;
using Spectre.Console;

namespace Amc.Cli.Packages;

/// <summary>
/// Shows upload progress on stderr: a Spectre progress bar (bytes, rate, time left) on a terminal, plain lines every
/// 10% otherwise, because Spectre renders nothing when not interactive.
/// </summary>
internal static class UploadProgress
{
    /// <summary>Packages smaller than this upload in a blink; no progress is shown for them.</summary>
    private const long ShowFrom = 4L * 1024 * 1024;

    public static async Task<T> RunAsync<T>(CliConsole console, string label, long total, Func<IProgress<long>, Task<T>> upload)
    {
        if (total < ShowFrom)
        {
            return await upload(new Progress<long>(_ => { }));
        }

        if (!console.OutputIsTerminal)
        {
            return await upload(new PlainLines(console.Error, label, total));
        }

        var ansi = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(console.Error), Interactive = InteractionSupport.Yes });
        T result = default!;
        await ansi.Progress()
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new DownloadedColumn(), new TransferSpeedColumn(), new RemainingTimeColumn())
            .StartAsync(async context =>
            {
                var task = context.AddTask(Markup.Escape(label), maxValue: total);
                result = await upload(new SynchronousProgress(bytes => task.Value = Math.Min(bytes, total)));
            });
        return result;
    }

    private sealed class SynchronousProgress(Action<long> report) : IProgress<long>
    {
        public void Report(long value) => report(value);
    }

    private sealed class PlainLines(TextWriter error, string label, long total) : IProgress<long>
    {
        private int _lastDecile;

        public void Report(long value)
        {
            var decile = (int)(Math.Min(value, total) * 10 / total);
            if (decile <= _lastDecile)
            {
                return;
            }

            _lastDecile = decile;
            error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{label}: {decile * 10}% ({value / 1048576.0:F1} of {total / 1048576.0:F1} MiB)"));
        }
    }
}
