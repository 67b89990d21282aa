using System.Text.Json;
using Aar.Protocol.Http;
using Aar.Protocol.Management;
using Aar.Protocol.Registry;
using Ams.Daemon.Applications;
using Ams.Daemon.Storage;

namespace Ams.Daemon.Sync;

/// <summary>
/// A push pass (publisher): uploads each published, ready version the registry lacks (a blob it has is not sent
/// again; an interrupted upload resumes from the registry's offset), then removes from the registry what this
/// publisher revoked or deleted. Conflicts are recorded and the pass carries on with the other applications.
/// </summary>
internal sealed class Pusher(ApplicationCatalog applications, PackageStore packages, SignedIndex index, SyncStateStore state, SyncStatusTracker status)
{
    /// <summary>When an upload goes by difference: the client's defaults (at least 4 MiB, at least 1/8 already held).</summary>
    private static readonly DeltaPolicy Delta = new();

    public async Task RunAsync(RegistryConnection registry, PassReport report, string? only, CancellationToken cancellationToken)
    {
        var architecture = applications.Architecture;
        // The signed listing: what it says decides what is uploaded and what this publisher removes from the registry.
        var listing = await index.ApplicationsAsync(registry, architecture, tags: null, known: null, cancellationToken);
        if (!listing.Succeeded)
        {
            report.Error(listing.Error!);
            return;
        }

        var listed = listing.Value!.Applications.Where(a => a.Architecture == architecture).ToList();
        if (listed.GroupBy(a => a.Name, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1) is { } twice)
        {
            // A registry never lists a name twice per architecture; pushing against such a listing could misjudge ownership.
            report.Error($"The registry's listing names '{twice.Key}' ({architecture}) more than once, which it never does; nothing was pushed or removed. Check the registry (or whatever answers at its address).");
            return;
        }

        var remote = listed.ToDictionary(a => a.Name, StringComparer.Ordinal);
        var local = (await applications.ListAsync(cancellationToken)).Where(a => !a.Immutable).ToList();
        var selected = only is null ? local : local.Where(a => a.Name == only || a.Id == only).ToList();
        foreach (var application in selected)
        {
            remote.TryGetValue(application.Name, out var registryApplication);
            if (registryApplication is not null && registryApplication.Owner != registry.ClientFingerprint)
            {
                if (application.Versions.Any(v => v.Published))
                {
                    report.Conflict($"'{application.Name}' ({architecture}) on the registry belongs to publisher {registryApplication.Owner[..12]}; this AMS cannot push to it (rename the application or remove it on the registry).");
                }

                continue;
            }

            foreach (var version in application.Versions.Where(v => v.Published && v.Status == VersionStatus.Ready))
            {
                await PushVersionAsync(registry, report, application, version, registryApplication, cancellationToken);
            }
        }

        await PruneAsync(registry, report, local, only, remote.Values.Where(a => a.Owner == registry.ClientFingerprint).ToList(), cancellationToken);
    }

    private async Task PushVersionAsync(RegistryConnection registry, PassReport report, LocalApplication application, LocalVersion version, ApplicationRecord? registryApplication, CancellationToken cancellationToken)
    {
        var digest = "sha256:" + version.Sha256;
        var existing = registryApplication?.Versions.FirstOrDefault(v => v.Version == version.Number);
        if (existing is not null)
        {
            if (existing.Digest == digest && existing.BlobMissing == true && BlobDigest.TryParse(digest, out var lost))
            {
                // The registry's scrub found its copy damaged or missing: send the package again (the version
                // itself stays as it is).
                await ResendAsync(registry, report, application, version, lost, cancellationToken);
            }
            else if (existing.Digest == digest)
            {
                report.Unchanged();
            }
            else
            {
                report.Conflict($"Version {version.Number} of '{application.Name}' is {existing.Digest} on the registry but {digest} here; registry versions never change, so it was not pushed (publish the package as a new version).");
            }

            return;
        }

        if (!BlobDigest.TryParse(digest, out var blob))
        {
            report.Error($"Version {version.Number} of '{application.Name}' has no valid package digest; delete it and upload the package again.");
            return;
        }

        var progress = status.Track(application.Name, version.Number, "upload", version.Size);
        try
        {
            var similar = registryApplication?.Versions.Count > 0;
            var uploaded = await UploadAsync(registry, blob, version, similar, progress, cancellationToken);
            if (uploaded.Succeeded)
            {
                report.UploadTraffic(uploaded.Value!.SentBytes, uploaded.Value.ReusedBytes);
            }
            else
            {
                report.Error($"Uploading version {version.Number} of '{application.Name}' failed: {RegistryConnection.Explain(uploaded.Problem!)}");
                return;
            }

            var created = await registry.Client.CreateVersionAsync(application.Name, applications.Architecture, version.Number, new CreateVersionRequest
            {
                Digest = digest,
                Size = version.Size,
                Manifest = JsonSerializer.SerializeToElement(version.Manifest, ManagementJsonContext.Default.ManifestInfo),
                Tags = version.Manifest.Tags,
            }, cancellationToken);
            if (created.Succeeded)
            {
                report.Uploaded(version.Size);
            }
            else if (created.Problem!.Status == 409)
            {
                report.Conflict($"'{application.Name}' version {version.Number}: {created.Problem.Detail}");
            }
            else
            {
                report.Error($"Publishing version {version.Number} of '{application.Name}' on the registry failed: {RegistryConnection.Explain(created.Problem)}");
            }
        }
        finally
        {
            status.Untrack(application.Name, version.Number, "upload");
        }
    }

    private async Task ResendAsync(RegistryConnection registry, PassReport report, LocalApplication application, LocalVersion version, BlobDigest blob, CancellationToken cancellationToken)
    {
        var progress = status.Track(application.Name, version.Number, "upload", version.Size);
        try
        {
            var uploaded = await UploadAsync(registry, blob, version, similar: true, progress, cancellationToken);
            if (uploaded.Succeeded)
            {
                report.UploadTraffic(uploaded.Value!.SentBytes, uploaded.Value.ReusedBytes);
                report.Uploaded(version.Size);
            }
            else
            {
                report.Error($"Re-sending version {version.Number} of '{application.Name}' (the registry lost its copy) failed: {RegistryConnection.Explain(uploaded.Problem!)}");
            }
        }
        finally
        {
            status.Untrack(application.Name, version.Number, "upload");
        }
    }

    /// <summary>
    /// Uploads the package, by difference when the registry holds an earlier version of the application (its chunks are
    /// likely there): the client asks which chunks the registry holds and sends only the others, and goes whole by
    /// itself when that does not pay. A fresh application goes whole without chunking, so it is not slowed.
    /// </summary>
    private async Task<ApiResult<UploadOutcome>> UploadAsync(RegistryConnection registry, BlobDigest blob, LocalVersion version, bool similar, IProgress<long> progress, CancellationToken cancellationToken)
    {
        await using var package = new FileStream(packages.PathOf(version.Sha256), FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.SequentialScan);
        // The index kept beside the package (written as it was imported; computed once for older packages).
        var chunks = similar && version.Size >= Delta.MinimumBytes && await packages.GetChunkIndexAsync(version.Sha256, cancellationToken) is { } index
            ? PackageChunks.From(index)
            : [];
        var resume = await state.GetUploadSessionAsync(version.Sha256, cancellationToken);
        var saved = SyncStatusTracker.SavedOf(progress);
        // Both sessions of an upload by difference are recorded as they start (the package's, and the one carrying
        // its pieces sent first as one blob), so a restart continues each from its offset.
        UploadOptions Options(string? session, string? staged) => new()
        {
            ResumeSessionId = session,
            ResumeStagedSessionId = staged,
            Progress = progress,
            Reused = saved,
            OnSessionStarted = id => state.SetUploadSessionAsync(version.Sha256, id, CancellationToken.None),
            OnStagedSessionStarted = id => state.SetStagedSessionAsync(version.Sha256, id, CancellationToken.None),
        };
        var result = await registry.Client.UploadDeltaAsync(package, blob, version.Size, chunks, Delta, Options(resume, await state.GetStagedSessionAsync(version.Sha256, cancellationToken)), cancellationToken);
        if (!result.Succeeded && resume is not null && result.Problem!.Type is ProblemTypes.UploadUnknown or ProblemTypes.UploadExpired)
        {
            // The registry forgot the session (expired, reclaimed): start over with a new one.
            await state.SetUploadSessionAsync(version.Sha256, null, cancellationToken);
            package.Position = 0;
            result = await registry.Client.UploadDeltaAsync(package, blob, version.Size, chunks, Delta, Options(null, null), cancellationToken);
        }

        if (result.Succeeded)
        {
            await state.SetUploadSessionAsync(version.Sha256, null, cancellationToken);
            await state.SetStagedSessionAsync(version.Sha256, null, cancellationToken);
        }

        return result;
    }

    /// <summary>
    /// Removes from the registry what this publisher unpublished or deleted, and nothing else: a version is removed
    /// when this AMS keeps it unpublished or has a deletion record for it (or for its whole application). What the
    /// registry holds for this publisher and this AMS has no record of at all (a replaced or restored database, far
    /// likelier than an intent) is reported and kept, so a lost database can never empty the registry, while a
    /// deliberate delete, the last application included, always reaches it.
    /// </summary>
    private async Task PruneAsync(RegistryConnection registry, PassReport report, List<LocalApplication> local, string? only, List<ApplicationRecord> owned, CancellationToken cancellationToken)
    {
        var deletions = await applications.ListDeletionsAsync(cancellationToken);
        foreach (var remote in owned.Where(r => only is null || r.Name == only))
        {
            var application = local.FirstOrDefault(a => a.Name == remote.Name);
            var whole = deletions.FirstOrDefault(d => d.Name == remote.Name && d.IsWholeApplication);
            if (application is null && whole is not null)
            {
                var deleted = await registry.Client.DeleteApplicationAsync(remote.Name, remote.Architecture, cancellationToken);
                if (Count(report, deleted.Problem, $"Removing '{remote.Name}' from the registry failed"))
                {
                    await applications.ForgetDeletionAsync(whole, cancellationToken);
                }

                continue;
            }

            var unrecorded = new List<int>();
            var failed = false;
            foreach (var version in remote.Versions)
            {
                var kept = application?.Versions.FirstOrDefault(v => v.Number == version.Version);
                if (kept is { Published: true })
                {
                    continue;
                }

                var recorded = deletions.FirstOrDefault(d => d.Name == remote.Name && d.Number == version.Version);
                if (kept is null && recorded is null && whole is null)
                {
                    unrecorded.Add(version.Version);
                    continue;
                }

                var deleted = await registry.Client.DeleteVersionAsync(remote.Name, remote.Architecture, version.Version, cancellationToken);
                var gone = Count(report, deleted.Problem, $"Removing version {version.Version} of '{remote.Name}' from the registry failed");
                failed |= !gone;
                if (gone && recorded is not null)
                {
                    await applications.ForgetDeletionAsync(recorded, cancellationToken);
                }
            }

            if (whole is not null && !failed)
            {
                // Deleted and created again here: the old versions are gone from the registry, the new ones stay.
                await applications.ForgetDeletionAsync(whole, cancellationToken);
            }

            if (unrecorded.Count > 0)
            {
                var which = application is null ? $"'{remote.Name}' ({remote.Architecture})" : $"version(s) {string.Join(", ", unrecorded)} of '{remote.Name}' ({remote.Architecture})";
                var how = application is null ? $"aar application delete {remote.Name} -a {remote.Architecture}" : $"aar application delete {remote.Name} -a {remote.Architecture} --version N";
                report.Conflict($"The registry holds {which} from this publisher, but this AMS has no record of {(application is null ? "it" : "them")} (was its database replaced or restored?); nothing was removed there. If they should go, run '{how}' on the registry host; to keep publishing them, create them here again.");
            }
        }

        // A record whose target the registry no longer lists (removed by the operator, or never pushed) has done its job.
        if (only is null)
        {
            foreach (var deletion in deletions.Where(d => !Lists(owned, d)))
            {
                await applications.ForgetDeletionAsync(deletion, cancellationToken);
            }
        }
    }

    private static bool Lists(List<ApplicationRecord> owned, LocalDeletion deletion) =>
        owned.FirstOrDefault(r => r.Name == deletion.Name) is { } remote
        && (deletion.IsWholeApplication || remote.Versions.Any(v => v.Version == deletion.Number));

    /// <summary>Counts a removal (already gone counts too) and says whether the registry no longer has it.</summary>
    private static bool Count(PassReport report, Problem? problem, string what)
    {
        if (problem is null || problem.Status == 404)
        {
            report.Deleted();
            return true;
        }

        report.Error($"{what}: {RegistryConnection.Explain(problem)}");
        return false;
    }
}
