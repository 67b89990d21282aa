namespace Ams.Daemon.Applications;

/// <summary>
/// At start, every <c>ready</c> version is checked against its package file: it must exist with the size recorded.
/// A size check is one <c>stat</c> per version; hashing every package at every start would read all of them (minutes
/// for a few hundred GiB at disk speed), so the digest is checked where the bytes are read anyway (push, re-fetch).
/// </summary>
internal sealed partial class ApplicationCatalog
{
    /// <summary>
    /// Marks versions whose package file is gone or has the wrong size as <c>error</c>: an imported one with a reason
    /// that says the next pull fetches it again (the puller re-fetches imported versions in <c>error</c>), a local one
    /// with a reason that says it cannot be recovered here. Returns how many were marked.
    /// </summary>
    public async Task<int> ReconcilePackagesAsync(CancellationToken cancellationToken)
    {
        var marked = 0;
        foreach (var application in await database.ListAsync(cancellationToken))
        {
            foreach (var version in application.Versions.Where(v => v.Status == VersionStatus.Ready))
            {
                var size = packages.SizeOf(version.Sha256);
                if (size == version.Size)
                {
                    continue;
                }

                var damage = size is null
                    ? $"its package file packages/sha256/{version.Sha256} was missing when the daemon started"
                    : $"its package file packages/sha256/{version.Sha256} had {size} bytes, not {version.Size}, when the daemon started";
                var reason = application.Immutable
                    ? $"{damage}; the next pull downloads it again from the registry"
                    : $"{damage}; it cannot be fetched again: delete this version and upload the package again";
                // The published flag stays: a publisher must not read a damaged disk as "revoked" and remove the
                // version from the registry, and a repaired import keeps what the registry said.
                await database.SetStatusAsync(application.Id, version.Number, VersionStatus.Error, reason, version.Published, time.GetUtcNow(), cancellationToken);
                Log.PackageDamaged(logger, application.Name, version.Number, reason);
                marked++;
            }
        }

        return marked;
    }
}
