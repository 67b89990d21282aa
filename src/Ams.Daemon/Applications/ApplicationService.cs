using Ams.Daemon.Api;
using Ams.Daemon.Config;
using Ams.Daemon.Hosting;
using Ams.Daemon.Packages;
using Ams.Daemon.Storage;
using Microsoft.Extensions.Logging;

namespace Ams.Daemon.Applications;

/// <summary>
/// The rules for applications and versions: what may be created, published, revoked and deleted, and when.
/// Changes are serialized by one lock (they are short); package validation runs outside it.
/// </summary>
internal sealed partial class ApplicationService(ApplicationDatabase database, PackageStore packages, ConfigStore config, AmsOptions options, TimeProvider time, ILogger<ApplicationService> logger) : IDisposable
{
    private readonly SemaphoreSlim _lock = new(1, 1);

    public string Architecture => options.Architecture;

    public PackageLimits Limits { get; } = new() { MaxPackageBytes = options.MaxPackageBytes, MaxExpandedBytes = options.MaxPackageBytes };

    public Task<List<ApplicationRecord>> ListAsync(CancellationToken cancellationToken) => database.ListAsync(cancellationToken);

    public async Task<Result<ApplicationRecord>> GetAsync(string idOrName, CancellationToken cancellationToken) =>
        await database.FindAsync(idOrName, cancellationToken) is { } found ? found : ApplicationErrors.NotFound(idOrName);

    /// <summary>Validates a staged upload and makes it a new application (<paramref name="target"/> null) or its next version.</summary>
    public async Task<Result<(ApplicationRecord Application, int Version)>> ImportAsync(StagedPackage staged, string packageName, string? target, CancellationToken cancellationToken)
    {
        var inspected = await PackageInspector.InspectAsync(staged.Path, packageName, Limits, packages.StagingDirectory, cancellationToken);
        if (!inspected.Succeeded)
        {
            PackageStore.Discard(staged);
            Log.Refused(logger, packageName, inspected.Error!.Message);
            return inspected.Error!;
        }

        var manifest = inspected.Value!;
        await _lock.WaitAsync(cancellationToken);
        try
        {
            var now = time.GetUtcNow();
            var version = new VersionRecord(0, VersionStatus.Initializing, null, false, now, staged.Sha256, staged.Size, manifest);
            string id;
            int number;
            if (target is null)
            {
                id = ApplicationIds.New(time);
                if (!await database.InsertApplicationAsync(new ApplicationRecord(id, manifest.Name, now, now, false, null, [version]), cancellationToken))
                {
                    PackageStore.Discard(staged);
                    return ApiError.Conflict($"An application named '{manifest.Name}' already exists; add a new version to it with 'amc application update {manifest.Name} {packageName}'.");
                }

                number = 0;
            }
            else
            {
                var existing = await database.FindAsync(target, cancellationToken);
                var refusal = existing is null ? ApplicationErrors.NotFound(target)
                    : existing.Immutable ? ApplicationErrors.Immutable(existing, "updated")
                    : existing.Name != manifest.Name ? ApiError.BadRequest($"{packageName}: manifest.yaml names '{manifest.Name}', but you are updating '{existing.Name}'; the manifest's name must match the application.")
                    : null;
                if (refusal is not null)
                {
                    PackageStore.Discard(staged);
                    return refusal;
                }

                id = existing!.Id;
                number = await database.AddVersionAsync(id, version, cancellationToken);
            }

            packages.Commit(staged);
            await database.SetStatusAsync(id, number, VersionStatus.Ready, null, config.Current.AutoPublish, time.GetUtcNow(), cancellationToken);
            Log.Imported(logger, manifest.Name, id, number, staged.Sha256);
            return ((await database.FindAsync(id, cancellationToken))!, number);
        }
        finally
        {
            _lock.Release();
        }
    }

    public async Task<Result<ApplicationRecord>> SetPublishedAsync(string idOrName, int number, bool published, CancellationToken cancellationToken)
    {
        await _lock.WaitAsync(cancellationToken);
        try
        {
            var application = await database.FindAsync(idOrName, cancellationToken);
            if (application is null)
            {
                return ApplicationErrors.NotFound(idOrName);
            }

            var version = application.Versions.FirstOrDefault(v => v.Number == number);
            var refusal = application.Immutable ? ApplicationErrors.Immutable(application, published ? "published" : "revoked")
                : version is null ? ApplicationErrors.NoVersion(application, number)
                : published && version.Status != VersionStatus.Ready ? ApplicationErrors.NotReady(application, version)
                : null;
            if (refusal is not null)
            {
                return refusal;
            }

            await database.SetStatusAsync(application.Id, number, version!.Status, version.ErrorMessage, published, time.GetUtcNow(), cancellationToken);
            Log.Published(logger, application.Name, number, published);
            return (await database.FindAsync(application.Id, cancellationToken))!;
        }
        finally
        {
            _lock.Release();
        }
    }

    public void Dispose() => _lock.Dispose();
}
