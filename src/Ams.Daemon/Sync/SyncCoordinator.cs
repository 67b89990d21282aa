using Aar.Protocol.Management;
using Aar.Protocol.Registry;
using Aar.Protocol.Text;
using Ams.Daemon.Config;
using Microsoft.Extensions.Logging;

namespace Ams.Daemon.Sync;

/// <summary>
/// Runs sync passes, one at a time per AMS: the worker's scheduled passes and the operator's on-demand ones
/// (<c>amc registry push|pull &lt;app&gt;</c>) share one gate.
/// </summary>
internal sealed partial class SyncCoordinator(ConfigStore config, RegistryConnector connector, Pusher pusher, Puller puller, SyncStatusTracker status, SyncMetrics metrics, TimeProvider time, ILogger<SyncCoordinator> logger) : IDisposable
{
    private readonly SemaphoreSlim _gate = new(1, 1);

    /// <summary>Runs a pass in the configured mode (<paramref name="direction"/> forces push or pull for one application).</summary>
    public async Task<SyncPassReport> RunAsync(RegistryMode? direction, string? only, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        var current = config.Current;
        var mode = direction ?? current.Mode;
        var report = new PassReport(status.StartPass(), mode.ToString().ToLowerInvariant(), time.GetUtcNow());
        // The pass deadline: nothing a registry does may hold the gate (and so every later pass) for longer.
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(current.PassTimeout);
        RegistryConnection? registry = null;
        try
        {
            if (connector.Problem(current) is { } problem)
            {
                report.Error(problem);
            }
            else if (mode != RegistryMode.Manual)
            {
                registry = connector.Connect(current);
                if (await RoleProblemAsync(registry, mode, deadline.Token) is { } roleProblem)
                {
                    report.Error(roleProblem);
                }
                else if (mode == RegistryMode.Push)
                {
                    await pusher.RunAsync(registry, report, only, deadline.Token);
                }
                else
                {
                    await puller.RunAsync(registry, report, current.Filter, only, deadline.Token);
                }
            }
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            report.Error($"The pass ran longer than registry.timeout.pass ({DurationText.Format(current.PassTimeout)}) and was stopped; what was imported stays, partial downloads are kept and the next pass resumes them.");
        }
        catch (Exception ex) when (ex is HttpRequestException or IOException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
        {
            report.Error(registry?.Explain(ex) ?? $"Talking to the registry failed: {ex.Message}");
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            // A pass can fail; the daemon cannot. Whatever a registry answer or the local state makes a pass throw
            // (JSON no contract allows, a key file that cannot be read, a busy database) ends this pass as failed and
            // is retried with backoff; the daemon keeps serving amc so the operator can see it and act.
            Log.SyncPassCrashed(logger, report.Number, ex);
            report.Error(Unexpected(ex));
        }
        finally
        {
            registry?.Dispose();
            if (cancellationToken.IsCancellationRequested)
            {
                // Stopped part-way (SIGTERM, or the caller went away): without this the report would read "ok" with
                // nothing moved, in the log and in 'amc registry status'.
                report.Error("The pass was interrupted before it finished (the daemon is stopping, or the request that started it was abandoned); the next pass continues where it stopped.");
            }

            var finished = report.Finish(time.GetUtcNow());
            status.FinishPass(finished);
            metrics.Finished(report, finished);
            _gate.Release();
            Log.SyncPassFinished(logger, MovedNothing(finished) ? LogLevel.Debug : LogLevel.Information, finished.Number, finished.Mode, finished.Result, finished.Uploaded, finished.Downloaded, finished.Deleted, finished.Errors.Count, finished.Conflicts.Count);
            foreach (var error in finished.Errors.Concat(finished.Conflicts))
            {
                Log.SyncPassProblem(logger, finished.Number, error);
            }
        }

        return status.LastPass!;
    }

    /// <summary>
    /// Asks the registry what it thinks of this AMS (<c>GET /1.0</c>) before moving anything. An AMS is a publisher or a
    /// client, never both: a publisher certificate must not pull — a pass in pull mode would import other
    /// publishers' applications, e.g. during hand configuration, between setting registry.url and registry.mode push.
    /// </summary>
    private static async Task<string?> RoleProblemAsync(RegistryConnection registry, RegistryMode mode, CancellationToken cancellationToken)
    {
        var info = await registry.Client.GetInfoAsync(cancellationToken);
        if (!info.Succeeded)
        {
            return RegistryConnection.Explain(info.Problem!);
        }

        TrustRole? role = TrustRoleNames.TryParse(info.Value!.Role, out var parsed) ? parsed : null;
        return (mode, role) switch
        {
            (RegistryMode.Pull, TrustRole.Publisher) =>
                "registry.mode is pull, but the registry trusts this AMS as a publisher; a publisher pushes: set registry.mode push (nothing was imported).",
            (RegistryMode.Push, TrustRole.Client) =>
                "registry.mode is push, but the registry trusts this AMS as a read-only client: set registry.mode pull, or re-add its certificate on the registry with 'aar trust add --publisher'.",
            _ => null,
        };
    }

    /// <summary>One sentence for an exception nobody expected: what it was, and that the log has the rest.</summary>
    private static string Unexpected(Exception error) => error switch
    {
        UnauthorizedAccessException or FileNotFoundException or DirectoryNotFoundException =>
            $"The pass failed reading a file of this AMS ({error.Message}); check the data directory's permissions (registry/client.crt and client.key must be readable by the daemon). The next pass retries.",
        Microsoft.Data.Sqlite.SqliteException sqlite =>
            $"The pass failed on this AMS's database ({sqlite.Message}); the next pass retries.",
        System.Security.Cryptography.CryptographicException =>
            $"The pass failed loading this AMS's registry certificate or key ({error.Message}); the next pass retries.",
        _ => $"The pass stopped on an unexpected error ({error.GetType().Name}: {error.Message}); the registry's answer may not be what this AMS understands. The daemon's log has the details; the next pass retries.",
    };

    /// <summary>
    /// A pass that found nothing to do (the registry answered 304, or nothing differed) is logged at debug: at every
    /// interval it would bury the passes that moved something or failed, and the metrics count it anyway.
    /// </summary>
    private static bool MovedNothing(SyncPassReport pass) =>
        (pass.Result == PassResult.Ok.ToWire() || pass.Result == PassResult.Unchanged.ToWire()) && pass.Uploaded + pass.Downloaded + pass.Deleted + pass.Errors.Count + pass.Conflicts.Count == 0;

    public void Dispose() => _gate.Dispose();

    private static partial class Log
    {
        [LoggerMessage(Message = "Sync pass {Pass} ({Mode}) {Result}: {Uploaded} uploaded, {Downloaded} downloaded, {Deleted} deleted, {Errors} errors, {Conflicts} conflicts")]
        public static partial void SyncPassFinished(ILogger logger, LogLevel level, long pass, string mode, string result, int uploaded, int downloaded, int deleted, int errors, int conflicts);

        [LoggerMessage(Level = LogLevel.Error, Message = "Sync pass {Pass} stopped on an unexpected error")]
        public static partial void SyncPassCrashed(ILogger logger, long pass, Exception exception);

        [LoggerMessage(Level = LogLevel.Warning, Message = "Sync pass {Pass}: {Problem}")]
        public static partial void SyncPassProblem(ILogger logger, long pass, string problem);
    }
}
