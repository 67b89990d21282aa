using Aar.Cli.Common;
using Aar.Protocol.Management;
using Aar.Protocol.Text;

namespace Amc.Cli.Applications;

/// <summary>Waits for an import operation and reports its outcome: the application id on stdout, or the refusal.</summary>
internal static class OperationWaiter
{
    public static async Task<int> WaitAsync(ManagementClient client, OperationInfo operation, TimeSpan timeout, CliConsole console, CancellationToken cancellationToken)
    {
        var waited = await client.WaitOperationAsync(operation.Id, timeout, cancellationToken);
        if (!waited.Succeeded)
        {
            return ProblemReporter.Report(console, waited);
        }

        var done = waited.Value!;
        switch (done.Status)
        {
            case OperationInfo.Success:
                await console.Out.WriteLineAsync(done.Metadata.GetValueOrDefault("id"));
                await console.Error.WriteLineAsync($"Application '{done.Metadata.GetValueOrDefault("name")}' version {done.Metadata.GetValueOrDefault("version")} is ready.");
                return ExitCodes.Ok;
            case OperationInfo.Failure:
                return ProblemReporter.Report(console, ManagementErrors.FromCode(done.ErrCode == 0 ? 500 : done.ErrCode, done.Err));
            default:
                return ProblemReporter.Fail(console, $"the import is still running after {DurationText.Format(timeout)}; it goes on in the daemon: check 'amc application list', or wait longer with -t.", ExitCodes.Internal);
        }
    }
}
