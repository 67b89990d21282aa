using Aar.Protocol.Management;
using Ams.Daemon.Api;
using Ams.Daemon.Config;
using Ams.Daemon.Packages;
using Ams.Daemon.Storage;
using Microsoft.Extensions.Logging;

namespace Ams.Daemon.Applications;

/// <summary>
/// The rules for applications and versions: what may be created, published, revoked and deleted, and when.
/// Changes are serialized by one lock (they are short); package validation runs outside it.
/// </summary>
internal sealed partial class ApplicationCatalog(ApplicationDatabase database, PackageStore packages, ConfigStore config, ApplicationOptions options, TimeProvider time, ILogger<ApplicationCatalog> logger) : IDisposable
{
    private readonly SemaphoreSlim _lock = new(1, 1);

    public string Architecture => options.Architecture;

    public PackageLimits Limits { get; } = new() { MaxPackageBytes = options.MaxPackageBytes, MaxExpandedBytes = options.MaxPackageBytes };

    public Task<List<LocalApplication>> ListAsync(CancellationToken cancellationToken) => database.ListAsync(cancellationToken);

    public async Task<Result<LocalApplication>> GetAsync(string idOrName, CancellationToken cancellationToken) =>
        await database.FindAsync(idOrName, cancellationToken) is { } found ? found : ApplicationProblems.NotFound(idOrName);

    /// <summary>
    /// Validates a staged upload and makes it a new application (<paramref name="target"/> null) or its next version.
    /// As soon as the manifest is read the version is reserved in status <c>initializing</c> (so it shows while a
    /// large package is checked); if the rest of the package is refused, the reservation is removed again.
    /// </summary>
    public async Task<Result<(LocalApplication Application, int Version)>> ImportAsync(StagedPackage staged, string packageName, string? target, CancellationToken cancellationToken)
    {
        Reservation? reservation = null;
        Result<ManifestInfo> inspected;
        try
        {
            inspected = await PackageInspector.InspectAsync(staged.Path, packageName, Limits, packages.StagingDirectory, cancellationToken, async manifest =>
            {
                var reserved = await ReserveAsync(manifest, staged, packageName, target, cancellationToken);
                reservation = reserved.Value;
                return reserved.Error;
            });
        }
        catch (OperationCanceledException) when (reservation is not null)
        {
            // The daemon is stopping: take the reservation back so no half-imported version outlives the run.
            await ReleaseAsync(reservation, CancellationToken.None);
            throw;
        }

        if (!inspected.Succeeded)
        {
            PackageStore.Discard(staged);
            if (reservation is not null)
            {
                await ReleaseAsync(reservation, CancellationToken.None);
            }

            Log.PackageRefused(logger, packageName, inspected.Error!.Message);
            return inspected.Error!;
        }

        await _lock.WaitAsync(cancellationToken);
        try
        {
            packages.Commit(staged);
            await database.MarkReadyAsync(reservation!.Id, reservation.Number, config.Current.AutoPublish, inspected.Value!, time.GetUtcNow(), cancellationToken);
            Log.VersionImported(logger, inspected.Value!.Name, reservation.Id, reservation.Number, staged.Sha256);
            return ((await database.FindAsync(reservation.Id, cancellationToken))!, reservation.Number);
        }
        finally
        {
            _lock.Release();
        }
    }

    private async Task<Result<Reservation>> ReserveAsync(ManifestInfo manifest, StagedPackage staged, string packageName, string? target, CancellationToken cancellationToken)
    {
        await _lock.WaitAsync(cancellationToken);
        try
        {
            var now = time.GetUtcNow();
            var version = new LocalVersion(0, VersionStatus.Initializing, null, false, now, staged.Sha256, staged.Size, manifest);
            if (target is null)
            {
                var id = ApplicationIds.New(time);
                return await database.InsertApplicationAsync(new LocalApplication(id, manifest.Name, now, now, false, null, [version]), cancellationToken)
                    ? new Reservation(id, 0, CreatedApplication: true)
                    : ApiProblem.Conflict($"An application named '{manifest.Name}' already exists; add a new version to it with 'amc application update {manifest.Name} {packageName}'.");
            }

            var existing = await database.FindAsync(target, cancellationToken);
            var refusal = existing is null ? ApplicationProblems.NotFound(target)
                : existing.Immutable ? ApplicationProblems.Immutable(existing, "updated")
                : existing.Name != manifest.Name ? ApiProblem.BadRequest($"{packageName}: manifest.yaml names '{manifest.Name}', but you are updating '{existing.Name}'; the manifest's name must match the application.")
                : null;
            return refusal ?? (Result<Reservation>)new Reservation(existing!.Id, await database.AddVersionAsync(existing.Id, version, cancellationToken), CreatedApplication: false);
        }
        finally
        {
            _lock.Release();
        }
    }

    /// <summary>Undoes a reservation whose package was refused: nothing half-created stays behind.</summary>
    private async Task ReleaseAsync(Reservation reservation, CancellationToken cancellationToken)
    {
        await _lock.WaitAsync(cancellationToken);
        try
        {
            if (reservation.CreatedApplication)
            {
                await database.DeleteApplicationAsync(reservation.Id, cancellationToken);
            }
            else
            {
                await database.ReleaseVersionAsync(reservation.Id, reservation.Number, cancellationToken);
            }
        }
        finally
        {
            _lock.Release();
        }
    }

    /// <summary>A version row held in <c>initializing</c> while its package is checked.</summary>
    private sealed record Reservation(string Id, int Number, bool CreatedApplication);

    public async Task<Result<LocalApplication>> SetPublishedAsync(string idOrName, int number, bool published, CancellationToken cancellationToken)
    {
        await _lock.WaitAsync(cancellationToken);
        try
        {
            var application = await database.FindAsync(idOrName, cancellationToken);
            if (application is null)
            {
                return ApplicationProblems.NotFound(idOrName);
            }

            var version = application.Versions.FirstOrDefault(v => v.Number == number);
            var refusal = application.Immutable ? ApplicationProblems.Immutable(application, published ? "published" : "revoked")
                : version is null ? ApplicationProblems.NoVersion(application, number)
                : published && version.Status != VersionStatus.Ready ? ApplicationProblems.NotReady(application, version)
                : null;
            if (refusal is not null)
            {
                return refusal;
            }

            await database.SetStatusAsync(application.Id, number, version!.Status, version.ErrorMessage, published, time.GetUtcNow(), cancellationToken);
            Log.PublicationChanged(logger, application.Name, number, published);
            return (await database.FindAsync(application.Id, cancellationToken))!;
        }
        finally
        {
            _lock.Release();
        }
    }

    public void Dispose() => _lock.Dispose();
}
