using Aar.Protocol.Http;
using Aar.Protocol.Registry;
using Aar.Server.Chunks;
using Aar.Server.Storage;
using Aar.Server.Trust;
using Microsoft.Extensions.Logging;

namespace Aar.Server.Applications;

/// <summary>
/// The rules around applications and versions: names are checked, a version's blob must be stored with the declared
/// size, a version never changes (same digest = idempotent, other digest = conflict naming both), the first
/// publisher of a name+architecture owns it, and only the owner or the operator deletes.
/// </summary>
internal sealed partial class ApplicationCatalog(ApplicationDatabase database, ApplicationQueries queries, IBlobStore blobs, IChunkIndexes chunks, MissingBlobs missingBlobs, TrustStore trust, TimeProvider time, ILogger<ApplicationCatalog> logger)
{
    public async Task<ApiResult<(ApplicationVersion Version, bool Created)>> CreateVersionAsync(string name, string architecture, string versionText, CreateVersionRequest request, string publisher, CancellationToken cancellationToken)
    {
        var manifestProblem = NameRules.CheckManifest(request.Manifest, out var manifest);
        var invalid = CheckKey(name, architecture, versionText, out var number)
            ?? NameRules.CheckTags(request.Tags)
            ?? manifestProblem;
        if (invalid is not null)
        {
            return ApiResult.Failed<(ApplicationVersion, bool)>(invalid);
        }

        if (!BlobDigest.TryParse(request.Digest, out var digest))
        {
            return ApiResult.Failed<(ApplicationVersion, bool)>(new Problem { Type = ProblemTypes.InvalidDigest, Title = "Invalid digest", Status = 400, Detail = BlobDigest.Explain(request.Digest) });
        }

        var result = await database.CreateVersionAsync(
            new NewVersion(name, architecture, number, request.Digest, request.Size, manifest, request.Tags ?? []),
            publisher,
            time.GetUtcNow(),
            token => blobs.GetSizeAsync(digest, token),
            cancellationToken);
        switch (result.Outcome)
        {
            case WriteOutcome.Created:
                Log.VersionCreated(logger, name, architecture, number, request.Digest, publisher);
                // Clients will ask for the new version's chunk index before downloading it: have it ready.
                chunks.Schedule(digest);
                return ApiResult.Ok((result.Version!, true));
            case WriteOutcome.Identical:
                return ApiResult.Ok((result.Version!, false));
            case WriteOutcome.BlobMissing:
                return ApiResult.Failed<(ApplicationVersion, bool)>(ApplicationProblems.BlobMissing(request.Digest));
            case WriteOutcome.BlobSizeMismatch:
                return ApiResult.Failed<(ApplicationVersion, bool)>(ApplicationProblems.SizeMismatch(request.Digest, request.Size, result.StoredSize!.Value));
            case WriteOutcome.DigestConflict:
                Log.VersionConflict(logger, name, architecture, number, result.ExistingDigest!, request.Digest, publisher);
                return ApiResult.Failed<(ApplicationVersion, bool)>(ApplicationProblems.Conflict(name, architecture, number, result.ExistingDigest!, request.Digest));
            case WriteOutcome.RetiredNumberConflict:
                Log.VersionConflict(logger, name, architecture, number, result.ExistingDigest!, request.Digest, publisher);
                return ApiResult.Failed<(ApplicationVersion, bool)>(ApplicationProblems.RetiredConflict(name, architecture, number, result.ExistingDigest!, request.Digest));
            default:
                return ApiResult.Failed<(ApplicationVersion, bool)>(Owned(name, architecture, result.Owner!));
        }
    }

    /// <summary>Deletes a version (<paramref name="versionText"/> set) or the application; <paramref name="caller"/> null = the operator.</summary>
    public async Task<ApiResult<DeletionRecord>> DeleteAsync(string name, string architecture, string? versionText, string? caller, CancellationToken cancellationToken)
    {
        var invalid = NameRules.CheckName(name) ?? NameRules.CheckArchitecture(architecture);
        int? number = null;
        if (invalid is null && versionText is not null)
        {
            invalid = NameRules.CheckVersion(versionText, out var parsed);
            number = parsed;
        }

        if (invalid is not null)
        {
            return ApiResult.Failed<DeletionRecord>(invalid);
        }

        var result = await database.DeleteAsync(name, architecture, number, caller, time.GetUtcNow(), cancellationToken);
        switch (result.Outcome)
        {
            case WriteOutcome.Deleted:
                Log.VersionDeleted(logger, name, architecture, number?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "all", caller ?? "operator");
                return ApiResult.Ok(result.Deletion!);
            case WriteOutcome.OwnedByOther:
                return ApiResult.Failed<DeletionRecord>(Owned(name, architecture, result.Owner!));
            default:
                return ApiResult.Failed<DeletionRecord>(number is { } missing && result.Owner is not null
                    ? ApplicationProblems.VersionNotFound(name, architecture, missing)
                    : ApplicationProblems.NotFound(name, architecture));
        }
    }

    public async Task<ApiResult<ApplicationRecord>> GetAsync(string name, string architecture, CancellationToken cancellationToken)
    {
        var invalid = NameRules.CheckName(name) ?? NameRules.CheckArchitecture(architecture);
        if (invalid is not null)
        {
            return ApiResult.Failed<ApplicationRecord>(invalid);
        }

        var found = await queries.GetAsync(name, architecture, cancellationToken);
        if (found is not null && await ReleaseRestoredAsync(found.Versions, cancellationToken))
        {
            found = await queries.GetAsync(name, architecture, cancellationToken);
        }

        return found is null ? ApiResult.Failed<ApplicationRecord>(ApplicationProblems.NotFound(name, architecture)) : ApiResult.Ok(found);
    }

    public async Task<ApiResult<ApplicationVersion>> GetVersionAsync(string name, string architecture, string versionText, CancellationToken cancellationToken)
    {
        var invalid = CheckKey(name, architecture, versionText, out var number);
        if (invalid is not null)
        {
            return ApiResult.Failed<ApplicationVersion>(invalid);
        }

        var found = await queries.GetVersionAsync(name, architecture, number, cancellationToken);
        if (found is not null && await ReleaseRestoredAsync([found], cancellationToken))
        {
            found = await queries.GetVersionAsync(name, architecture, number, cancellationToken);
        }

        return found is null ? ApiResult.Failed<ApplicationVersion>(ApplicationProblems.VersionNotFound(name, architecture, number)) : ApiResult.Ok(found);
    }

    /// <summary>
    /// The listing, optionally for one architecture and only applications with a version carrying one of
    /// <paramref name="tags"/> (all their versions are listed).
    /// </summary>
    public async Task<ApiResult<ApplicationListing>> ListAsync(string? architecture, string? tags, CancellationToken cancellationToken)
    {
        if (architecture is not null && NameRules.CheckArchitecture(architecture) is { } invalid)
        {
            return ApiResult.Failed<ApplicationListing>(invalid);
        }

        var listing = await queries.ListAsync(architecture, cancellationToken);
        if (await ReleaseRestoredAsync(listing.Applications.SelectMany(a => a.Versions), cancellationToken))
        {
            listing = await queries.ListAsync(architecture, cancellationToken);
        }

        var wanted = (tags ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToHashSet(StringComparer.Ordinal);
        return ApiResult.Ok(wanted.Count == 0 ? listing : listing with
        {
            Applications = listing.Applications.Where(a => a.Versions.Any(v => v.Tags.Any(wanted.Contains))).ToList(),
        });
    }

    /// <summary>
    /// Clears the <c>blob_missing</c> flag of digests whose blob is stored again (the publisher re-sent it). Checked
    /// where the flag is read, so no upload path needs to know about scrubs; it costs one size lookup per flagged
    /// digest, and flagged digests exist only between a scrub finding damage and the publisher's repair.
    /// </summary>
    private async Task<bool> ReleaseRestoredAsync(IEnumerable<ApplicationVersion> versions, CancellationToken cancellationToken)
    {
        var released = false;
        foreach (var digest in versions.Where(v => v.BlobMissing == true).Select(v => v.Digest).Distinct(StringComparer.Ordinal).ToList())
        {
            if (BlobDigest.TryParse(digest, out var parsed) && await blobs.GetSizeAsync(parsed, cancellationToken) is not null
                && await missingBlobs.ReleaseAsync(digest, cancellationToken))
            {
                Log.BlobRestored(logger, digest);
                released = true;
            }
        }

        return released;
    }

    private static Problem? CheckKey(string name, string architecture, string versionText, out int number)
    {
        number = 0;
        return NameRules.CheckName(name) ?? NameRules.CheckArchitecture(architecture) ?? NameRules.CheckVersion(versionText, out number);
    }

    private Problem Owned(string name, string architecture, string owner) =>
        ApplicationProblems.Owned(name, architecture, owner, trust.Current.Trusted.TryGetValue(owner, out var entry) ? entry.Name : null);

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Information, Message = "Version {Version} of {Application} ({Architecture}) created as {Digest} by {Fingerprint}")]
        public static partial void VersionCreated(ILogger logger, string application, string architecture, int version, string digest, string fingerprint);

        [LoggerMessage(Level = LogLevel.Warning, Message = "Refused version {Version} of {Application} ({Architecture}) from {Fingerprint}: it exists as {Existing}, not {Requested}")]
        public static partial void VersionConflict(ILogger logger, string application, string architecture, int version, string existing, string requested, string fingerprint);

        [LoggerMessage(Level = LogLevel.Information, Message = "Blob {Digest}, found damaged or missing by a scrub, is stored again; its versions are no longer flagged")]
        public static partial void BlobRestored(ILogger logger, string digest);

        [LoggerMessage(Level = LogLevel.Information, Message = "Deleted version {Version} of {Application} ({Architecture}) on behalf of {Caller}")]
        public static partial void VersionDeleted(ILogger logger, string application, string architecture, string version, string caller);
    }
}
