using Ams.Daemon.Api;
using Microsoft.Extensions.Logging;

namespace Ams.Daemon.Applications;

/// <summary>Deleting applications and versions, and the package files nothing references any more.</summary>
internal sealed partial class ApplicationCatalog
{
    public async Task<Result<LocalApplication>> DeleteAsync(string idOrName, bool force, CancellationToken cancellationToken)
    {
        await _lock.WaitAsync(cancellationToken);
        try
        {
            var application = await database.FindAsync(idOrName, cancellationToken);
            var refusal = application is null ? ApplicationProblems.NotFound(idOrName)
                : application.Immutable && !force ? ApplicationProblems.ImmutableDelete(application)
                : application.Versions.FirstOrDefault(v => v.Status == VersionStatus.Initializing) is { } busy ? ApplicationProblems.Busy(application, busy)
                : null;
            if (refusal is not null)
            {
                return refusal;
            }

            if (application!.Immutable)
            {
                // An imported application is the registry's: nothing to tell the registry.
                await database.DeleteApplicationAsync(application.Id, cancellationToken);
            }
            else
            {
                await database.DeleteAndRecordApplicationAsync(application, time.GetUtcNow(), cancellationToken);
            }

            await DeleteUnusedPackagesAsync(application.Versions.Select(v => v.Sha256), cancellationToken);
            Log.ApplicationDeleted(logger, application.Name, application.Id);
            return application;
        }
        finally
        {
            _lock.Release();
        }
    }

    public async Task<Result<LocalApplication>> DeleteVersionAsync(string idOrName, int number, bool force, CancellationToken cancellationToken)
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
            var refusal = application.Immutable && !force ? ApplicationProblems.ImmutableDelete(application)
                : version is null ? ApplicationProblems.NoVersion(application, number)
                : version.Status == VersionStatus.Initializing ? ApplicationProblems.Busy(application, version)
                : application.Versions.Count == 1 ? ApiProblem.Conflict($"Version {number} is the only version of '{application.Name}', and an application keeps at least one; delete the whole application with 'amc application delete {application.Name}' instead.")
                : null;
            if (refusal is not null)
            {
                return refusal;
            }

            await database.DeleteVersionAsync(application, number, record: !application.Immutable, time.GetUtcNow(), cancellationToken);
            await DeleteUnusedPackagesAsync([version!.Sha256], cancellationToken);
            Log.VersionDeleted(logger, application.Name, number);
            return (await database.FindAsync(application.Id, cancellationToken))!;
        }
        finally
        {
            _lock.Release();
        }
    }

    /// <summary>What this AMS deleted of its own applications and the registry may still hold (see <see cref="LocalDeletion"/>).</summary>
    public Task<List<LocalDeletion>> ListDeletionsAsync(CancellationToken cancellationToken) => database.ListDeletionsAsync(cancellationToken);

    /// <summary>Drops a deletion record once the registry no longer lists what it names.</summary>
    public Task ForgetDeletionAsync(LocalDeletion deletion, CancellationToken cancellationToken) => database.ForgetDeletionAsync(deletion, cancellationToken);

    private async Task DeleteUnusedPackagesAsync(IEnumerable<string> hashes, CancellationToken cancellationToken)
    {
        foreach (var sha in hashes.Distinct(StringComparer.Ordinal))
        {
            if (!await database.IsPackageUsedAsync(sha, cancellationToken))
            {
                packages.Delete(sha);
            }
        }
    }

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Information, Message = "Application {Application} ({Id}) version {Version} imported from package {Sha256}")]
        public static partial void VersionImported(ILogger logger, string application, string id, int version, string sha256);

        [LoggerMessage(Level = LogLevel.Information, Message = "Package {Package} refused: {Reason}")]
        public static partial void PackageRefused(ILogger logger, string package, string reason);

        [LoggerMessage(Level = LogLevel.Information, Message = "Application {Application} version {Version} published={Published}")]
        public static partial void PublicationChanged(ILogger logger, string application, int version, bool published);

        [LoggerMessage(Level = LogLevel.Information, Message = "Application {Application} ({Id}) deleted")]
        public static partial void ApplicationDeleted(ILogger logger, string application, string id);

        [LoggerMessage(Level = LogLevel.Information, Message = "Application {Application} version {Version} deleted")]
        public static partial void VersionDeleted(ILogger logger, string application, int version);

        [LoggerMessage(Level = LogLevel.Warning, Message = "Application {Application} version {Version} from the registry was rejected: {Reason}")]
        public static partial void RegistryVersionRejected(ILogger logger, string application, int version, string reason);

        [LoggerMessage(Level = LogLevel.Information, Message = "Application {Application} version {Version}: package {Sha256} fetched again from the registry; ready")]
        public static partial void PackageRefetched(ILogger logger, string application, int version, string sha256);

        [LoggerMessage(Level = LogLevel.Warning, Message = "Application {Application} version {Version}: {Reason}")]
        public static partial void PackageDamaged(ILogger logger, string application, int version, string reason);
    }
}
