using Aar.Protocol.Management;
using Ams.Daemon.Api;
using Ams.Daemon.Packages;
using Ams.Daemon.Storage;

namespace Ams.Daemon.Applications;

/// <summary>What a registry import did: the application with the new version, or why the package was refused.</summary>
internal sealed record RegistryImport(LocalApplication? Application, string? Rejection);

/// <summary>
/// Imports for the registry sync feature: the application becomes immutable and records its origin. A package that
/// fails validation leaves nothing behind here: the sync remembers the rejection (<see cref="RejectedVersions"/>) so
/// that it is not downloaded again on every pass.
/// </summary>
internal sealed partial class ApplicationCatalog
{
    public async Task<Result<RegistryImport>> ImportFromRegistryAsync(StagedPackage staged, string name, int number, bool published, ApplicationOrigin origin, CancellationToken cancellationToken)
    {
        var inspected = await PackageInspector.InspectAsync(staged.Path, $"registry package {name} version {number}", Limits, packages.StagingDirectory, cancellationToken);
        var error = inspected.Error?.Message
            ?? (inspected.Value!.Name != name ? $"the package's manifest names '{inspected.Value.Name}', not '{name}'" : null);
        if (error is not null)
        {
            PackageStore.Discard(staged);
            Log.RegistryVersionRejected(logger, name, number, error);
            return new RegistryImport(null, error);
        }

        await _lock.WaitAsync(cancellationToken);
        try
        {
            var existing = await database.FindAsync(name, cancellationToken);
            if (existing is not null && !existing.Immutable)
            {
                PackageStore.Discard(staged);
                return ApiProblem.Conflict($"A local application named '{name}' exists on this AMS; the registry's '{name}' is not imported over it (rename or delete the local one).");
            }

            if (existing?.Versions.Any(v => v.Number == number) == true)
            {
                PackageStore.Discard(staged);
                return ApiProblem.Conflict($"Version {number} of '{name}' is already imported.");
            }

            // The file is in place and durable before the row that says `ready` exists: a crash in between leaves an
            // unreferenced package (the next pull imports the version and finds it), never a ready version without one.
            packages.Commit(staged);
            var now = time.GetUtcNow();
            var version = new LocalVersion(number, VersionStatus.Ready, null, published, now, staged.Sha256, staged.Size, inspected.Value!);
            var id = existing?.Id ?? ApplicationIds.New(time);
            if (existing is null)
            {
                await database.InsertApplicationAsync(new LocalApplication(id, name, now, now, true, origin, [version]), cancellationToken);
            }
            else
            {
                await database.AddVersionAsync(id, version, cancellationToken, number);
            }

            return new RegistryImport((await database.FindAsync(id, cancellationToken))!, null);
        }
        finally
        {
            _lock.Release();
        }
    }

    /// <summary>
    /// Puts back the package of an imported version whose file was found missing or damaged at start
    /// (<see cref="ReconcilePackagesAsync"/>). The bytes hash to the digest this version was validated with when it was
    /// first imported, so they are not inspected again; the version becomes <c>ready</c> once the file is durable.
    /// </summary>
    public async Task<Result<LocalApplication>> RestoreFromRegistryAsync(StagedPackage staged, string name, int number, CancellationToken cancellationToken)
    {
        await _lock.WaitAsync(cancellationToken);
        try
        {
            var existing = await database.FindAsync(name, cancellationToken);
            var version = existing?.Versions.FirstOrDefault(v => v.Number == number);
            if (existing is not { Immutable: true } || version is null || version.Sha256 != staged.Sha256)
            {
                PackageStore.Discard(staged);
                return ApiProblem.Conflict($"Version {number} of '{name}' is no longer the imported version the package was fetched for.");
            }

            packages.Commit(staged);
            await database.SetStatusAsync(existing.Id, number, VersionStatus.Ready, null, version.Published, time.GetUtcNow(), cancellationToken);
            Log.PackageRefetched(logger, name, number, staged.Sha256);
            return (await database.FindAsync(existing.Id, cancellationToken))!;
        }
        finally
        {
            _lock.Release();
        }
    }
}
