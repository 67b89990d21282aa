using Microsoft.Extensions.Hosting;

namespace Ams.Daemon.Hosting;

/// <summary>
/// A background service that fails a moment after start, added only when <c>AMS_FAULT_INJECT=background-service</c>
/// is set. Nothing in the daemon is allowed to fail that way (a sync pass catches everything), so the exit-code
/// contract of <c>ams serve</c> after such a failure (non-zero, for a supervisor) can only be tested with a
/// deliberate one, in a real process (docs/ams.md, "Exit status").
/// </summary>
internal sealed class InjectedFault(TimeProvider time) : BackgroundService
{
    public const string Variable = "AMS_FAULT_INJECT";
    public const string Value = "background-service";

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await Task.Delay(TimeSpan.FromSeconds(2), time, stoppingToken);
        throw new InvalidOperationException($"fault injected by {Variable}={Value}");
    }
}
