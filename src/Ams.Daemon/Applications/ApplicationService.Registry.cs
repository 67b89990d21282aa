using Aar.Protocol.Management;
using Ams.Daemon.Api;
using Ams.Daemon.Packages;
using Ams.Daemon.Storage;

namespace Ams.Daemon.Applications;

/// <summary>
/// Imports for the registry sync feature: the application becomes immutable and records its origin. Unlike a local
/// upload, a package that fails validation is kept as a version in <c>error</c> with the reason, so the operator
/// sees what the registry served and the sync does not download it again on every pass.
/// </summary>
internal sealed partial class ApplicationService
{
    public async Task<Result<ApplicationRecord>> ImportFromRegistryAsync(StagedPackage staged, string name, int number, bool published, ApplicationOrigin origin, CancellationToken cancellationToken)
    {
        var inspected = await PackageInspector.InspectAsync(staged.Path, $"registry package {name} version {number}", Limits, packages.StagingDirectory, cancellationToken);
        var error = inspected.Error?.Message
            ?? (inspected.Value!.Name != name ? $"the package's manifest names '{inspected.Value.Name}', not '{name}'" : null);
        await _lock.WaitAsync(cancellationToken);
        try
        {
            var existing = await database.FindAsync(name, cancellationToken);
            if (existing is not null && !existing.Immutable)
            {
                PackageStore.Discard(staged);
                return ApiError.Conflict($"A local application named '{name}' exists on this AMS; the registry's '{name}' is not imported over it (rename or delete the local one).");
            }

            if (existing?.Versions.Any(v => v.Number == number) == true)
            {
                PackageStore.Discard(staged);
                return ApiError.Conflict($"Version {number} of '{name}' is already imported.");
            }

            var now = time.GetUtcNow();
            var manifest = error is null ? inspected.Value! : new ManifestInfo { Name = name };
            var version = new VersionRecord(number, error is null ? VersionStatus.Ready : VersionStatus.Error, error, published && error is null, now, staged.Sha256, staged.Size, manifest);
            var id = existing?.Id ?? ApplicationIds.New(time);
            if (existing is null)
            {
                await database.InsertApplicationAsync(new ApplicationRecord(id, name, now, now, true, origin, [version]), cancellationToken);
            }
            else
            {
                await database.AddVersionAsync(id, version, cancellationToken, number);
            }

            if (error is null)
            {
                packages.Commit(staged);
            }
            else
            {
                PackageStore.Discard(staged);
                Log.RegistryVersionFailed(logger, name, number, error);
            }

            return (await database.FindAsync(id, cancellationToken))!;
        }
        finally
        {
            _lock.Release();
        }
    }
}
