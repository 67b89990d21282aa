using System.Globalization;
using Ams.Daemon.Data;

namespace Ams.Daemon.Sync;

/// <summary>What sync remembers between passes and restarts, in <c>registry_state</c>.</summary>
internal sealed class SyncStateStore(AmsDatabase database)
{
    private const string GenerationKey = "pull.generation";
    private const string RegistryKey = "pull.registry";
    private const string LocalImportsKey = "pull.local";
    private const string RefreshAfterKey = "pull.refresh_after";
    private const string ListingKey = "signing.listing";
    private const string FirstUseKey = "signing.first_use";

    /// <summary>
    /// The generation the last complete pull reached, for the registry identified by <paramref name="registry"/>
    /// (URL and fingerprint). Another registry starts from 0: its generations are not comparable.
    /// </summary>
    public async Task<long> GetGenerationAsync(RegistryIdentity registry, CancellationToken cancellationToken)
    {
        var stored = await GetAsync(RegistryKey, cancellationToken);
        if (!string.Equals(stored, registry.Key, StringComparison.Ordinal))
        {
            return 0;
        }

        return long.TryParse(await GetAsync(GenerationKey, cancellationToken), NumberStyles.None, CultureInfo.InvariantCulture, out var generation) ? generation : 0;
    }

    public async Task SetGenerationAsync(RegistryIdentity registry, long generation, string localImports, CancellationToken cancellationToken)
    {
        await SetAsync(RegistryKey, registry.Key, cancellationToken);
        await SetAsync(GenerationKey, generation.ToString(CultureInfo.InvariantCulture), cancellationToken);
        await SetAsync(LocalImportsKey, localImports, cancellationToken);
    }

    /// <summary>
    /// Until when a 304 may stand for the last verified listing: half its validity after it was signed. After that a pull
    /// asks for a freshly signed listing, so a registry (or whatever holds its TLS key) that answers 304 forever cannot
    /// keep this AMS on an old listing for longer than the registry's signatures last.
    /// </summary>
    public async Task<DateTimeOffset> GetRefreshAfterAsync(CancellationToken cancellationToken) =>
        DateTimeOffset.TryParse(await GetAsync(RefreshAfterKey, cancellationToken), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at) ? at : DateTimeOffset.MinValue;

    public Task SetRefreshAfterAsync(DateTimeOffset at, CancellationToken cancellationToken) =>
        SetAsync(RefreshAfterKey, at.ToString("O", CultureInfo.InvariantCulture), cancellationToken);

    /// <summary>The last listing that verified (generation, signed at, expires at, key id), for <c>amc registry status</c>.</summary>
    public async Task<VerifiedListing?> GetVerifiedListingAsync(CancellationToken cancellationToken) =>
        VerifiedListing.Parse(await GetAsync(ListingKey, cancellationToken));

    public Task SetVerifiedListingAsync(VerifiedListing listing, CancellationToken cancellationToken) =>
        SetAsync(ListingKey, listing.ToString(), cancellationToken);

    /// <summary>The key id this AMS pinned on first use (no key was configured); null when the key came from a token or the operator.</summary>
    public Task<string?> GetFirstUseKeyAsync(CancellationToken cancellationToken) => GetAsync(FirstUseKey, cancellationToken);

    public Task SetFirstUseKeyAsync(string keyId, CancellationToken cancellationToken) => SetAsync(FirstUseKey, keyId, cancellationToken);

    /// <summary>A digest of the imported versions as the last complete pull left them (see <see cref="Puller"/>).</summary>
    public Task<string?> GetLocalImportsAsync(CancellationToken cancellationToken) => GetAsync(LocalImportsKey, cancellationToken);

    /// <summary>The registry upload session that was carrying <paramref name="sha256"/>, to resume it.</summary>
    public Task<string?> GetUploadSessionAsync(string sha256, CancellationToken cancellationToken) => GetAsync("upload." + sha256, cancellationToken);

    public Task SetUploadSessionAsync(string sha256, string? sessionId, CancellationToken cancellationToken) =>
        sessionId is null ? DeleteAsync("upload." + sha256, cancellationToken) : SetAsync("upload." + sha256, sessionId, cancellationToken);

    /// <summary>The session carrying the pieces an upload by difference of <paramref name="sha256"/> sends first, as one blob.</summary>
    public Task<string?> GetStagedSessionAsync(string sha256, CancellationToken cancellationToken) => GetAsync("upload-staged." + sha256, cancellationToken);

    public Task SetStagedSessionAsync(string sha256, string? sessionId, CancellationToken cancellationToken) =>
        sessionId is null ? DeleteAsync("upload-staged." + sha256, cancellationToken) : SetAsync("upload-staged." + sha256, sessionId, cancellationToken);

    private async Task<string?> GetAsync(string key, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT value FROM registry_state WHERE key = $key";
        command.Parameters.AddWithValue("$key", key);
        return (string?)await command.ExecuteScalarAsync(cancellationToken);
    }

    private async Task SetAsync(string key, string value, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        using var command = connection.CreateCommand();
        command.CommandText = "INSERT INTO registry_state (key, value) VALUES ($key, $value) ON CONFLICT (key) DO UPDATE SET value = excluded.value";
        command.Parameters.AddWithValue("$key", key);
        command.Parameters.AddWithValue("$value", value);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private async Task DeleteAsync(string key, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        using var command = connection.CreateCommand();
        command.CommandText = "DELETE FROM registry_state WHERE key = $key";
        command.Parameters.AddWithValue("$key", key);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
