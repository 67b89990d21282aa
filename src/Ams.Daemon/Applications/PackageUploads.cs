using System.Collections.Concurrent;
using Aar.Protocol.Management;
using Ams.Daemon.Api;
using Ams.Daemon.Operations;
using Ams.Daemon.Storage;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Ams.Daemon.Applications;

/// <summary>
/// Receives a package upload (create or update): streams it to staging, then validates and imports it in the
/// background as an operation the client waits on (202 + operation, as the original product does).
/// </summary>
internal sealed partial class PackageUploads(ApplicationCatalog applications, PackageStore packages, OperationRegistry operations, IHostApplicationLifetime lifetime, ILogger<PackageUploads> logger)
{
    private readonly ConcurrentDictionary<Task, bool> _imports = new();

    /// <summary>Waits for imports still running (they stop early once the host is stopping) so shutdown leaves no writer behind.</summary>
    public Task WaitForImportsAsync() => Task.WhenAll(_imports.Keys);

    public async Task<IResult> AcceptAsync(HttpContext context, string? target, CancellationToken cancellationToken)
    {
        var name = context.Request.Headers[ManagementRoutes.PackageNameHeader] is [{ Length: > 0 } header] ? Uri.UnescapeDataString(header) : "The package";
        if (target is not null)
        {
            var existing = await applications.GetAsync(target, cancellationToken);
            var refusal = !existing.Succeeded ? existing.Error : existing.Value!.Immutable ? ApplicationProblems.Immutable(existing.Value, "updated") : null;
            if (refusal is not null)
            {
                return Envelope.Error(refusal);
            }
        }

        var limit = applications.Limits.MaxPackageBytes;
        if (context.Request.ContentLength > limit)
        {
            return Envelope.Error(ApiProblem.TooLarge($"{name} is {context.Request.ContentLength} bytes, larger than this AMS's package size limit of {limit} bytes; make the package smaller or raise the limit with 'ams serve --max-package-size'."));
        }

        // The daemon enforces its own limit while streaming (also for uploads of unknown length).
        context.Features.Get<IHttpMaxRequestBodySizeFeature>()!.MaxRequestBodySize = null;
        Result<StagedPackage> staged;
        try
        {
            staged = await packages.ReceiveAsync(context.Request.Body, limit, name, cancellationToken);
        }
        catch (Exception ex) when (ex is IOException or BadHttpRequestException or OperationCanceledException)
        {
            // The client went away or sent less than it declared: not a daemon error, and nothing was kept.
            Log.PackageUploadAborted(logger, name, ex.Message);
            return Results.Empty;
        }

        if (!staged.Succeeded)
        {
            return Envelope.Error(staged.Error!);
        }

        var operation = operations.Start(target is null ? $"Creating application from {name}" : $"Adding a version to {target} from {name}");
        var import = Task.Run(() => ImportAsync(operation, staged.Value!, name, target), CancellationToken.None);
        _imports.TryAdd(import, true);
        _ = import.ContinueWith(done => _imports.TryRemove(done, out _), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        return Envelope.Async(operation.Info);
    }

    private async Task ImportAsync(Operation operation, StagedPackage staged, string name, string? target)
    {
        try
        {
            var result = await applications.ImportAsync(staged, name, target, lifetime.ApplicationStopping);
            if (!result.Succeeded)
            {
                operation.Fail(result.Error!);
                return;
            }

            var (application, version) = result.Value;
            operation.Succeed(
                new Dictionary<string, string>(StringComparer.Ordinal) { ["id"] = application.Id, ["name"] = application.Name, ["version"] = version.ToString(System.Globalization.CultureInfo.InvariantCulture) },
                new Dictionary<string, List<string>>(StringComparer.Ordinal) { ["applications"] = [ManagementRoutes.Application(application.Id)] });
        }
        catch (OperationCanceledException)
        {
            PackageStore.Discard(staged);
            operation.Fail(new ApiProblem(503, $"The daemon stopped while importing {name}; start it again and upload the package once more."));
        }
        catch (Exception ex)
        {
            PackageStore.Discard(staged);
            Log.PackageImportFailed(logger, name, ex);
            operation.Fail(new ApiProblem(500, $"Importing {name} failed unexpectedly ({ex.Message.TrimEnd('.')}); the daemon log has the details."));
        }
    }

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Information, Message = "Upload of {Package} ended early ({Reason}); nothing was kept")]
        public static partial void PackageUploadAborted(ILogger logger, string package, string reason);

        [LoggerMessage(Level = LogLevel.Error, Message = "Importing package {Package} failed")]
        public static partial void PackageImportFailed(ILogger logger, string package, Exception exception);
    }
}
