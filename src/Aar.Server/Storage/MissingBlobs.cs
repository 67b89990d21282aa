using Aar.Hosting;
using Aar.Server.Data;

namespace Aar.Server.Storage;

/// <summary>Why a scrub put a digest on the list.</summary>
internal enum MissingReason
{
    /// <summary>The content no longer matched its digest; the bytes were moved to quarantine.</summary>
    Damaged,

    /// <summary>A version names the digest but the store does not hold it.</summary>
    Missing,
}

/// <summary>
/// The digests a scrub found damaged or missing while versions name them (<c>missing_blobs</c>). Versions naming one
/// are listed with <c>blob_missing: true</c>, which tells their publisher to upload the blob again; the row goes once
/// the blob is back. Each change bumps the generation, so a conditional listing (ETag) sees the flag appear and go.
/// </summary>
internal sealed class MissingBlobs(RegistryDatabase database)
{
    /// <summary>Records digests (those already listed stay as they are) and forgets ones no version names any more.</summary>
    public async Task<int> RecordAsync(IReadOnlyList<(string Digest, MissingReason Reason)> found, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var transaction = await database.BeginWriteAsync(connection, cancellationToken);
        var changed = 0;
        using (var prune = connection.CreateCommand())
        {
            prune.CommandText = "DELETE FROM missing_blobs WHERE digest NOT IN (SELECT digest FROM versions)";
            await prune.ExecuteNonQueryAsync(cancellationToken);
        }

        foreach (var (digest, reason) in found)
        {
            using var insert = connection.CreateCommand();
            insert.CommandText = "INSERT INTO missing_blobs (digest, reason, found_at) VALUES (@digest, @reason, @now) ON CONFLICT (digest) DO NOTHING";
            insert.Add("@digest", digest);
            insert.Add("@reason", reason == MissingReason.Damaged ? "damaged" : "missing");
            insert.Add("@now", DbTime.Format(now));
            changed += await insert.ExecuteNonQueryAsync(cancellationToken);
        }

        var generation = changed > 0 ? await database.NextGenerationAsync(connection, cancellationToken) : 0;
        await transaction.CommitAsync(cancellationToken);
        database.Generation.Advance(generation);
        return changed;
    }

    /// <summary>Forgets a digest whose blob is stored again; false when it was not listed.</summary>
    public async Task<bool> ReleaseAsync(string digest, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var transaction = await database.BeginWriteAsync(connection, cancellationToken);
        using var delete = connection.CreateCommand();
        delete.CommandText = "DELETE FROM missing_blobs WHERE digest = @digest";
        delete.Add("@digest", digest);
        if (await delete.ExecuteNonQueryAsync(cancellationToken) == 0)
        {
            return false;
        }

        var generation = await database.NextGenerationAsync(connection, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        database.Generation.Advance(generation);
        return true;
    }
}
