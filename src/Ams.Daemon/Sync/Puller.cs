using Aar.Protocol.Management;
using Aar.Protocol.Registry;
using Ams.Daemon.Applications;
using Ams.Daemon.Hosting;
using Ams.Daemon.Storage;
using RegistryApplicationRecord = Aar.Protocol.Registry.ApplicationRecord;

namespace Ams.Daemon.Sync;

/// <summary>
/// A pull pass (client): lists the registry (a 304 when nothing changed), downloads the versions of this AMS's
/// architecture (and filter tags) it lacks into <c>registry/downloads</c> with Range-resumed, SHA-256-verified
/// transfers, imports each as a <c>ready</c>, immutable version in one step, then replays the registry's deletion
/// records. It never deletes because something is missing from a listing, never touches applications this AMS
/// created, and refuses a listing whose generation went backwards.
/// </summary>
internal sealed class Puller(ApplicationService applications, DataDirectory data, SyncStateStore state, SyncStatusTracker status)
{
    public async Task RunAsync(RegistryConnection registry, PassReport report, IReadOnlyList<string> filter, string? only, CancellationToken cancellationToken)
    {
        var architecture = applications.Architecture;
        var known = await state.GetGenerationAsync(registry.Identity, cancellationToken);
        // A forced local delete of an imported application must be undone by the next pull (spec §3: it re-imports,
        // since the registry still has it): when the imported versions are not what the last pull left, list in full
        // instead of asking for a 304.
        var unchangedLocally = await state.GetLocalImportsAsync(cancellationToken) == await LocalImportsAsync(cancellationToken);
        var listed = await registry.Client.ListApplicationsAsync(architecture, filter.Count > 0 ? filter : null, only is null && known > 0 && unchangedLocally ? known : null, cancellationToken);
        if (!listed.Succeeded)
        {
            report.Error(RegistryConnection.Explain(listed.Problem!));
            return;
        }

        if (listed.Value is not { } listing)
        {
            report.NotModified = true;
            return;
        }

        if (listing.Generation < known)
        {
            report.Error($"The registry answered with generation {listing.Generation}, older than generation {known} this AMS already saw; it may have been restored from an old backup. Nothing was imported or deleted; if the registry was reset on purpose, run 'amc registry sync' after checking it.");
            return;
        }

        var origin = new ApplicationOrigin { RegistryUrl = registry.Url.GetLeftPart(UriPartial.Authority), Fingerprint = registry.Identity.Split(' ')[1] };
        foreach (var application in listing.Applications.Where(a => a.Architecture == architecture && (only is null || a.Name == only)))
        {
            await ImportApplicationAsync(registry, report, application, origin, cancellationToken);
        }

        if (only is null)
        {
            await ApplyDeletionsAsync(registry, report, listing, known, origin, cancellationToken);
            if (!report.HasErrors)
            {
                // Advance only after a complete pass: a failed download must be retried, not hidden behind a 304.
                await state.SetGenerationAsync(registry.Identity, listing.Generation, await LocalImportsAsync(cancellationToken), cancellationToken);
            }
        }

        CleanDownloads(listing);
    }

    private async Task ImportApplicationAsync(RegistryConnection registry, PassReport report, RegistryApplicationRecord remote, ApplicationOrigin origin, CancellationToken cancellationToken)
    {
        var local = (await applications.GetAsync(remote.Name, cancellationToken)).Value;
        if (local is not null && !local.Immutable)
        {
            report.Conflict($"A local application named '{remote.Name}' exists on this AMS; the registry's '{remote.Name}' is not imported over it (rename or delete the local one to receive it).");
            return;
        }

        foreach (var version in remote.Versions)
        {
            var existing = local?.Versions.FirstOrDefault(v => v.Number == version.Version);
            if (existing is not null)
            {
                if ("sha256:" + existing.Sha256 == version.Digest || existing.Status == VersionStatus.Error)
                {
                    report.Unchanged();
                }
                else
                {
                    report.Conflict($"Version {version.Version} of '{remote.Name}' here is sha256:{existing.Sha256}, but the registry now serves {version.Digest}; delete the local version with 'amc application delete {remote.Name} --version {version.Version} --force' to import the registry's.");
                }

                continue;
            }

            if (await DownloadAndImportAsync(registry, report, remote.Name, version, origin, cancellationToken) is { } imported)
            {
                local = imported;
            }
        }
    }

    private async Task<Applications.ApplicationRecord?> DownloadAndImportAsync(RegistryConnection registry, PassReport report, string name, ApplicationVersion version, ApplicationOrigin origin, CancellationToken cancellationToken)
    {
        if (!BlobDigest.TryParse(version.Digest, out var digest))
        {
            report.Error($"The registry lists version {version.Version} of '{name}' with an invalid digest '{version.Digest}'; skipped.");
            return null;
        }

        Directory.CreateDirectory(DownloadsDirectory);
        var partial = Path.Combine(DownloadsDirectory, digest.Hex + ".partial");
        var progress = status.Track(name, version.Version, "download", version.Size);
        try
        {
            var downloaded = await registry.Client.DownloadBlobAsync(digest, partial, progress: progress, expectedSize: version.Size, cancellationToken: cancellationToken);
            if (!downloaded.Succeeded)
            {
                report.Error($"Downloading version {version.Version} of '{name}' failed: {RegistryConnection.Explain(downloaded.Problem!)}");
                return null;
            }

            if (downloaded.Value!.Size != version.Size)
            {
                File.Delete(partial);
                report.Error($"Version {version.Version} of '{name}' arrived with {downloaded.Value.Size} bytes, but the registry listed {version.Size}; it was discarded and will be downloaded again.");
                return null;
            }

            var imported = await applications.ImportFromRegistryAsync(new StagedPackage(partial, digest.Hex, version.Size), name, version.Version, published: true, origin, cancellationToken);
            if (!imported.Succeeded)
            {
                File.Delete(partial);
                report.Conflict(imported.Error!.Message);
                return null;
            }

            var record = imported.Value!.Versions.First(v => v.Number == version.Version);
            if (record.Status == VersionStatus.Error)
            {
                report.Error($"Version {version.Version} of '{name}' from the registry is not a valid package ({record.ErrorMessage}); it is kept as 'error' and not downloaded again.");
            }
            else
            {
                report.Downloaded();
            }

            return imported.Value;
        }
        finally
        {
            status.Untrack(name, version.Version, "download");
        }
    }

    /// <summary>
    /// Replays deletion records since the last generation seen, for applications imported from this registry only. A
    /// record is applied only if the current listing no longer has what it names (it may have been published again).
    /// </summary>
    private async Task ApplyDeletionsAsync(RegistryConnection registry, PassReport report, ApplicationListing listing, long known, ApplicationOrigin origin, CancellationToken cancellationToken)
    {
        if (known == 0)
        {
            // First pass against this registry: nothing was imported from it before, so there is nothing to undo.
            return;
        }

        var deletions = await registry.Client.GetDeletionsAsync(known, cancellationToken);
        if (!deletions.Succeeded)
        {
            report.Error(RegistryConnection.Explain(deletions.Problem!));
            return;
        }

        foreach (var deletion in deletions.Value!.Deletions.Where(d => d.Architecture == applications.Architecture))
        {
            var local = (await applications.GetAsync(deletion.Name, cancellationToken)).Value;
            if (local is null || !local.Immutable || local.Origin?.RegistryUrl != origin.RegistryUrl)
            {
                continue;
            }

            var stillListed = listing.Applications.FirstOrDefault(a => a.Name == deletion.Name && a.Architecture == deletion.Architecture);
            if (deletion.Version is not { } number)
            {
                if (stillListed is null && (await applications.DeleteAsync(local.Id, force: true, cancellationToken)).Succeeded)
                {
                    report.Deleted();
                }

                continue;
            }

            if (stillListed?.Versions.Any(v => v.Version == number) != true && local.Versions.Any(v => v.Number == number)
                && (await applications.DeleteVersionAsync(local.Id, number, force: true, cancellationToken)).Succeeded)
            {
                report.Deleted();
            }
        }
    }

    private async Task<string> LocalImportsAsync(CancellationToken cancellationToken)
    {
        var imported = (await applications.ListAsync(cancellationToken))
            .Where(a => a.Immutable)
            .SelectMany(a => a.Versions.Select(v => $"{a.Name}/{v.Number}/{v.Sha256}"))
            .Order(StringComparer.Ordinal);
        return Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(string.Join('\n', imported))));
    }

    private string DownloadsDirectory => Path.Combine(data.RegistryDirectory, "downloads");

    /// <summary>Drops partial downloads of blobs the registry no longer lists (a resumed download needs its blob to exist).</summary>
    private void CleanDownloads(ApplicationListing listing)
    {
        if (!Directory.Exists(DownloadsDirectory))
        {
            return;
        }

        var wanted = listing.Applications.SelectMany(a => a.Versions).Select(v => v.Digest).ToHashSet(StringComparer.Ordinal);
        foreach (var file in Directory.EnumerateFiles(DownloadsDirectory, "*.partial"))
        {
            if (!wanted.Contains("sha256:" + Path.GetFileNameWithoutExtension(file)))
            {
                File.Delete(file);
            }
        }
    }
}
