using Aar.Protocol.Chunking;
using Aar.Protocol.Http;
using Aar.Protocol.Management;
using Aar.Protocol.Registry;
using Ams.Daemon.Applications;
using Ams.Daemon.Config;
using Ams.Daemon.Storage;

namespace Ams.Daemon.Sync;

/// <summary>
/// A pull pass (client): lists the registry (a 304 when nothing changed), downloads the versions of this AMS's
/// architecture (and filter tags) it lacks into <c>registry/downloads</c> with Range-resumed, SHA-256-verified
/// transfers, imports each as a <c>ready</c>, immutable version in one step, then replays the registry's deletion
/// records. Every listing and deletion record is signed by the registry's signing key and verified first
/// (<see cref="SignedIndex"/>). It never deletes because something is missing from a listing, never touches
/// applications this AMS created, and refuses a listing whose generation went backwards.
/// </summary>
internal sealed class Puller(ApplicationCatalog applications, RejectedVersions rejections, SignedIndex index, SyncOptions options, SyncStateStore state, SyncStatusTracker status, SyncMetrics metrics, DeltaDownloader deltas, PackageStore packages, TimeProvider time)
{
    public async Task RunAsync(RegistryConnection registry, PassReport report, PullFilter filter, string? only, CancellationToken cancellationToken)
    {
        var architecture = applications.Architecture;
        var known = await state.GetGenerationAsync(registry.Identity, cancellationToken);
        // A forced local delete of an imported application must be undone by the next pull (it re-imports,
        // since the registry still has it): when the imported versions are not what the last pull left, list in full
        // instead of asking for a 304.
        // Likewise when registry.filter changed since the last complete pull: a 304 would hide what it now selects.
        var unchangedLocally = await state.GetLocalImportsAsync(cancellationToken) == await LocalStateAsync(filter, cancellationToken);
        // And when the last verified listing is past half its validity: a 304 carries no signature, so only a fresh
        // signed listing proves the registry still stands by it (SyncStateStore.GetRefreshAfterAsync).
        var fresh = time.GetUtcNow() < await state.GetRefreshAfterAsync(cancellationToken);
        var listed = await index.ApplicationsAsync(registry, architecture, filter.Tags.Count > 0 ? filter.Tags : null, only is null && known > 0 && unchangedLocally && fresh ? known : null, cancellationToken);
        if (!listed.Succeeded)
        {
            report.Error(listed.Error!);
            return;
        }

        if (listed.Value is not { } signed)
        {
            report.NotModified = true;
            metrics.Pulled(known, known);
            return;
        }

        var unfiltered = new ApplicationListing { Generation = signed.Generation, Applications = signed.Applications };
        if (unfiltered.Generation < known)
        {
            report.Error($"The registry answered with generation {unfiltered.Generation}, older than generation {known} this AMS already saw; it may have been restored from an old backup. Nothing was imported or deleted; if the registry was reset on purpose, run 'amc registry sync' after checking it.");
            return;
        }

        // The registry applied the tags; the name patterns are applied here, before anything reads the listing.
        var listing = unfiltered with { Applications = [.. unfiltered.Applications.Where(a => filter.Matches(a.Name))] };
        var origin = new ApplicationOrigin { RegistryUrl = registry.Identity.Url, Fingerprint = registry.Identity.Fingerprint.Hex };
        var rejected = await RememberedRejectionsAsync(registry, listing, only, cancellationToken);
        foreach (var application in listing.Applications.Where(a => a.Architecture == architecture && (only is null || a.Name == only)))
        {
            await ImportApplicationAsync(registry, report, application, origin, rejected, cancellationToken);
        }

        if (only is null)
        {
            await ApplyDeletionsAsync(registry, report, listing, known, origin, cancellationToken);
            if (!report.HasErrors)
            {
                // Advance only after a complete pass: a failed download must be retried, not hidden behind a 304.
                await state.SetGenerationAsync(registry.Identity, listing.Generation, await LocalStateAsync(filter, cancellationToken), cancellationToken);
                await state.SetRefreshAfterAsync(signed.IssuedAt + ((signed.ExpiresAt - signed.IssuedAt) / 2), cancellationToken);
                known = listing.Generation;
            }

            metrics.Pulled(listing.Generation, known);
        }

        CleanDownloads(listing);
    }

    /// <summary>
    /// The rejections that still hold: those of another registry are forgotten (its versions are not this one's), and
    /// in a full pass so is one whose version the registry no longer lists or lists with another digest.
    /// </summary>
    private async Task<HashSet<(string Name, int Version)>> RememberedRejectionsAsync(RegistryConnection registry, ApplicationListing listing, string? only, CancellationToken cancellationToken)
    {
        await rejections.ForgetOtherRegistriesAsync(registry.Identity.Key, cancellationToken);
        var listed = listing.Applications.Where(a => a.Architecture == applications.Architecture)
            .SelectMany(a => a.Versions.Select(v => (Key: (a.Name, v.Version), v.Digest)))
            .DistinctBy(v => v.Key) // a hostile listing may name a version twice; the import step keeps the first too
            .ToDictionary(v => v.Key, v => v.Digest);
        var remembered = new HashSet<(string Name, int Version)>();
        foreach (var row in await rejections.ListAsync(only, cancellationToken))
        {
            var key = (row.Application, row.Version);
            if (listed.TryGetValue(key, out var digest) && digest == row.Digest)
            {
                remembered.Add(key);
            }
            else if (listed.ContainsKey(key) || listing.Applications.Count > 0)
            {
                // A new digest is a new package: try it. A version gone from a listing that names anything at all was
                // deleted or filtered out; an empty listing proves nothing (the same rule as for deletions).
                await rejections.ForgetAsync(row.Application, row.Version, cancellationToken);
            }
        }

        return remembered;
    }

    private async Task ImportApplicationAsync(RegistryConnection registry, PassReport report, ApplicationRecord remote, ApplicationOrigin origin, HashSet<(string Name, int Version)> rejected, CancellationToken cancellationToken)
    {
        var local = (await applications.GetAsync(remote.Name, cancellationToken)).Value;
        if (local is not null && !local.Immutable)
        {
            report.Conflict($"A local application named '{remote.Name}' exists on this AMS; the registry's '{remote.Name}' is not imported over it (rename or delete the local one to receive it).");
            return;
        }

        foreach (var version in remote.Versions)
        {
            if (rejected.Contains((remote.Name, version.Version)))
            {
                // Refused before with this very digest: downloading it again would only fail again (and a fleet
                // would fetch a bad package from the registry on every pass). 'amc registry retry' forgets it.
                report.Unchanged();
                continue;
            }

            var existing = local?.Versions.FirstOrDefault(v => v.Number == version.Version);
            if (existing is not null)
            {
                if ("sha256:" + existing.Sha256 == version.Digest && existing.Status == VersionStatus.Error && local!.Immutable)
                {
                    // Its package file was found missing or damaged at start (ApplicationCatalog.ReconcilePackagesAsync).
                    if (await DownloadAsync(registry, report, remote.Name, version, cancellationToken) is { } staged)
                    {
                        var restored = await applications.RestoreFromRegistryAsync(staged, remote.Name, version.Version, cancellationToken);
                        if (restored.Succeeded)
                        {
                            local = restored.Value;
                            report.Downloaded(version.Size);
                        }
                        else
                        {
                            report.Conflict(restored.Error!.Message);
                        }
                    }
                }
                else if ("sha256:" + existing.Sha256 == version.Digest)
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

    private async Task<LocalApplication?> DownloadAndImportAsync(RegistryConnection registry, PassReport report, string name, ApplicationVersion version, ApplicationOrigin origin, CancellationToken cancellationToken)
    {
        if (version.Size > applications.Limits.MaxPackageBytes)
        {
            await RejectAsync(registry, report, name, version, $"it is {version.Size} bytes, larger than this AMS's package size limit of {applications.Limits.MaxPackageBytes} bytes (ams serve --max-package-size); nothing was downloaded", cancellationToken);
            return null;
        }

        if (await DownloadAsync(registry, report, name, version, cancellationToken) is not { } staged)
        {
            return null;
        }

        var imported = await applications.ImportFromRegistryAsync(staged, name, version.Version, published: true, origin, cancellationToken);
        if (!imported.Succeeded)
        {
            report.Conflict(imported.Error!.Message);
            return null;
        }

        if (imported.Value!.Rejection is { } rejection)
        {
            await RejectAsync(registry, report, name, version, $"it is not a valid package ({rejection})", cancellationToken);
            return null;
        }

        report.Downloaded(version.Size);
        if (staged.Index is null && version.Size >= DeltaDownloader.SmallestPackage)
        {
            // Not indexed on the way in (a download indexes itself, so this is a safety net): index it now, after the
            // version is ready, so the next version can reuse its chunks and a later damage to it is caught while copying.
            await packages.GetChunkIndexAsync(staged.Sha256, cancellationToken);
        }

        return imported.Value.Application;
    }

    /// <summary>
    /// Downloads and verifies one version's package into <c>registry/downloads</c>. An invalid listed digest is
    /// remembered as rejected (nothing can ever match it). Bytes that do not hash to the digest, or arrive in another
    /// size than listed, are not: they say nothing about the package the digest names, only that the registry's copy
    /// is damaged, and a registry repairs that under the same digest (its scrub quarantines the blob, the publisher
    /// sends it again), so the next pass, after the usual backoff, must try again. A network failure resumes.
    /// </summary>
    private async Task<StagedPackage?> DownloadAsync(RegistryConnection registry, PassReport report, string name, ApplicationVersion version, CancellationToken cancellationToken)
    {
        if (!BlobDigest.TryParse(version.Digest, out var digest))
        {
            await RejectAsync(registry, report, name, version, $"the registry lists it with an invalid digest '{version.Digest}'", cancellationToken);
            return null;
        }

        Directory.CreateDirectory(DownloadsDirectory);
        var partial = Path.Combine(DownloadsDirectory, digest.Hex + ".partial");
        var progress = status.Track(name, version.Version, "download", version.Size);
        try
        {
            if (await DeltaAsync(registry, report, name, version, digest, progress, cancellationToken) is { } assembled)
            {
                return assembled;
            }

            // Indexed on the way in, so the next version can reuse its chunks without reading it again.
            ChunkIndex? index = null;
            var downloaded = await registry.Client.DownloadBlobAsync(digest, partial, progress: progress, expectedSize: version.Size, cancellationToken: cancellationToken,
                indexed: version.Size >= DeltaDownloader.SmallestPackage ? i => index = i : null);
            if (!downloaded.Succeeded)
            {
                var problem = downloaded.Problem!;
                if (problem.Type == ProblemTypes.DigestMismatch)
                {
                    File.Delete(partial);
                    report.Error($"Version {version.Version} of '{name}' from the registry was discarded: the registry's bytes do not match its digest ({problem.Detail}). Its copy is damaged; the next pass tries again.");
                }
                else
                {
                    report.Error($"Downloading version {version.Version} of '{name}' failed: {RegistryConnection.Explain(problem)}");
                }

                return null;
            }

            if (downloaded.Value!.Size != version.Size)
            {
                File.Delete(partial);
                report.Error($"Version {version.Version} of '{name}' from the registry was discarded: it arrived with {downloaded.Value.Size} bytes, but the registry listed {version.Size}. The next pass tries again.");
                return null;
            }

            return new StagedPackage(partial, digest.Hex, version.Size, index);
        }
        finally
        {
            status.Untrack(name, version.Version, "download");
        }
    }

    /// <summary>
    /// Tries a download by difference first (<see cref="DeltaDownloader"/>); null when it does not pay or was refused,
    /// and the whole download follows. A refusal (the registry's index or bytes lie) is reported as an error.
    /// </summary>
    private async Task<StagedPackage?> DeltaAsync(RegistryConnection registry, PassReport report, string name, ApplicationVersion version, BlobDigest digest, IProgress<long> progress, CancellationToken cancellationToken)
    {
        try
        {
            var delta = await deltas.TryAsync(registry.Client, name, digest, version.Size, DownloadsDirectory, progress, SyncStatusTracker.SavedOf(progress), cancellationToken);
            if (delta.Staged is null)
            {
                return null;
            }

            metrics.Delta(delta.Fetched, delta.Reused);
            status.RecordDelta(name, version.Version, delta.Fetched, delta.Reused);
            return delta.Staged;
        }
        catch (DeltaRefusedException ex)
        {
            DeltaDownloader.Discard(Path.Combine(DownloadsDirectory, digest.Hex + ".delta"));
            report.Error($"Version {version.Version} of '{name}' was not assembled from local chunks: {ex.Message} It is downloaded whole instead.");
            return null;
        }
    }

    private async Task RejectAsync(RegistryConnection registry, PassReport report, string name, ApplicationVersion version, string reason, CancellationToken cancellationToken)
    {
        report.Reject();
        await rejections.RecordAsync(registry.Identity.Key, new RejectedVersionInfo { Application = name, Version = version.Version, Digest = version.Digest, Size = version.Size, Reason = reason, RejectedAt = time.GetUtcNow() }, cancellationToken);
        report.Error($"Version {version.Version} of '{name}' from the registry was rejected: {reason}. It is not downloaded again while the registry serves digest {version.Digest}; 'amc registry retry {name}' tries it again now.");
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

        var deletions = await index.DeletionsAsync(registry, known, cancellationToken);
        if (!deletions.Succeeded)
        {
            report.Error(deletions.Error!);
            return;
        }

        // Only records inside the signed range count: a record older than asked for, or newer than the generation the
        // registry signed, is not one it vouched for here.
        foreach (var deletion in deletions.Value.Deletions.Where(d => d.Architecture == applications.Architecture && d.Generation > known && d.Generation <= deletions.Value.Generation))
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

    /// <summary>
    /// A digest of what a 304 would take for granted: the imported versions as the last complete pull left them, and
    /// the filter it used.
    /// </summary>
    private async Task<string> LocalStateAsync(PullFilter filter, CancellationToken cancellationToken)
    {
        var imported = (await applications.ListAsync(cancellationToken))
            .Where(a => a.Immutable)
            // The status is part of it: a version marked damaged at start must make the next pass list in full.
            .SelectMany(a => a.Versions.Select(v => $"{a.Name}/{v.Number}/{v.Sha256}/{v.Status.ToWire()}"))
            .Order(StringComparer.Ordinal)
            .Prepend($"filter {filter}");
        return Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(string.Join('\n', imported))));
    }

    private string DownloadsDirectory => options.DownloadsDirectory;

    /// <summary>Drops partial downloads of blobs the registry no longer lists (a resumed download needs its blob to exist).</summary>
    private void CleanDownloads(ApplicationListing listing)
    {
        if (!Directory.Exists(DownloadsDirectory))
        {
            return;
        }

        var wanted = listing.Applications.SelectMany(a => a.Versions).Select(v => v.Digest).ToHashSet(StringComparer.Ordinal);
        foreach (var file in Directory.EnumerateFiles(DownloadsDirectory))
        {
            // <hex>.partial (whole downloads), <hex>.delta and <hex>.delta.done (downloads by difference).
            var name = Path.GetFileName(file);
            if (!wanted.Contains("sha256:" + name.Split('.')[0]))
            {
                File.Delete(file);
            }
        }
    }
}
