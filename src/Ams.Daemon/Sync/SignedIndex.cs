using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Aar.Protocol.Registry;
using Aar.Protocol.Signing;
using Ams.Daemon.Config;
using Microsoft.Extensions.Logging;

namespace Ams.Daemon.Sync;

/// <summary>
/// Every listing this AMS acts on, verified before anything reads it: fetched from the registry's signed routes, opened
/// with the pinned signing key (<c>registry.signing_key</c>), checked against the query it answers, its expiry and
/// the registry's clock. A listing signed by another key is accepted only when a chain of rotations signed by the
/// pinned key leads to it; the pin then moves forward and the old key is never accepted again. With no key pinned
/// (the seed's manual steps never mention one), the first key the registry presents over the pinned TLS connection
/// is pinned, as SSH does, and <c>amc registry status</c> says so.
/// </summary>
internal sealed partial class SignedIndex(ConfigStore config, SyncStateStore state, TimeProvider time, ILogger<SignedIndex> logger)
{
    /// <summary>How far in the future a signing time may lie before the registry's clock is called wrong.</summary>
    private static readonly TimeSpan ClockSkew = TimeSpan.FromMinutes(5);

    /// <summary>The applications listing for this query; null value on a 304 (<paramref name="known"/> still current).</summary>
    public async Task<Verified<SignedApplications?>> ApplicationsAsync(RegistryConnection registry, string? architecture, IReadOnlyList<string>? tags, long? known, CancellationToken cancellationToken)
    {
        var fetched = await registry.Client.GetSignedApplicationsAsync(architecture, tags, known, cancellationToken);
        if (!fetched.Succeeded)
        {
            return Verified<SignedApplications?>.Fail(RegistryConnection.Explain(fetched.Problem!));
        }

        if (fetched.Value is not { } envelope)
        {
            return Verified<SignedApplications?>.Ok(null);
        }

        var opened = await OpenAsync(registry, envelope, SignedApplications.PayloadType, RegistryReadJsonContext.Default.SignedApplications, "listing", cancellationToken);
        if (opened.Error is { } error)
        {
            return Verified<SignedApplications?>.Fail(error);
        }

        var (listing, key) = (opened.Value!, opened.Key!);
        if (ListingShape.Problem(listing.Applications) is { } shape)
        {
            return Verified<SignedApplications?>.Fail($"The registry's signed listing {shape}; nothing was imported or deleted.");
        }

        if (listing.Architecture != architecture || !SameTags(listing.Tags, tags))
        {
            return Verified<SignedApplications?>.Fail($"The registry's signed listing answers another question (architecture '{listing.Architecture}', tags '{string.Join(',', listing.Tags ?? [])}') than the one asked (architecture '{architecture}', tags '{string.Join(',', tags ?? [])}'); it was refused and nothing was imported or deleted.");
        }

        if (Stale(listing.IssuedAt, listing.ExpiresAt, "listing") is { } stale)
        {
            return Verified<SignedApplications?>.Fail(stale);
        }

        await state.SetVerifiedListingAsync(new VerifiedListing(listing.Generation, listing.IssuedAt, listing.ExpiresAt, key.KeyId), cancellationToken);
        return Verified<SignedApplications?>.Ok(listing);
    }

    /// <summary>The deletion records after <paramref name="since"/>, signed.</summary>
    public async Task<Verified<SignedDeletions>> DeletionsAsync(RegistryConnection registry, long since, CancellationToken cancellationToken)
    {
        var fetched = await registry.Client.GetSignedDeletionsAsync(since, cancellationToken);
        if (!fetched.Succeeded)
        {
            return Verified<SignedDeletions>.Fail(RegistryConnection.Explain(fetched.Problem!));
        }

        var opened = await OpenAsync(registry, fetched.Value!, SignedDeletions.PayloadType, RegistryReadJsonContext.Default.SignedDeletions, "deletion records", cancellationToken);
        if (opened.Error is { } error)
        {
            return Verified<SignedDeletions>.Fail(error);
        }

        var deletions = opened.Value!;
        if (deletions.Since != since)
        {
            return Verified<SignedDeletions>.Fail($"The registry's signed deletion records start after generation {deletions.Since}, but those after generation {since} were asked for; they were refused and nothing was deleted.");
        }

        if (deletions.Deletions.Any(d => d is null))
        {
            return Verified<SignedDeletions>.Fail("The registry's signed deletion records hold null entries, which it never sends; nothing was deleted.");
        }

        return Stale(deletions.IssuedAt, deletions.ExpiresAt, "deletion records") is { } stale
            ? Verified<SignedDeletions>.Fail(stale)
            : Verified<SignedDeletions>.Ok(deletions);
    }

    private string? Stale(DateTimeOffset issuedAt, DateTimeOffset expiresAt, string what)
    {
        var now = time.GetUtcNow();
        if (expiresAt <= now)
        {
            return $"The registry's signed {what} expired at {expiresAt:u} (signed at {issuedAt:u}); a registry signs afresh on every answer, so this one was replayed or the registry's clock is wrong. It was refused and nothing was imported or deleted.";
        }

        return issuedAt > now + ClockSkew
            ? $"The registry's signed {what} says it was signed at {issuedAt:u}, later than now ({now:u}); check the clocks of the registry and of this AMS. It was refused and nothing was imported or deleted."
            : null;
    }

    /// <summary>Verifies the envelope with the pinned key (pinning on first use, following rotations) and reads its payload strictly.</summary>
    private async Task<Opened<T>> OpenAsync<T>(RegistryConnection registry, SignedEnvelope envelope, string payloadType, JsonTypeInfo<T> type, string what, CancellationToken cancellationToken)
        where T : class
    {
        var pinned = config.Current.SigningKey;
        if (pinned is null)
        {
            var first = await PinOnFirstUseAsync(registry, cancellationToken);
            if (first.Error is { } error)
            {
                return new Opened<T>(null, null, error);
            }

            pinned = first.Key!;
        }

        if (!envelope.TryOpen(payloadType, pinned, out var payload, out var refusal))
        {
            var followed = await FollowRotationsAsync(registry, pinned, cancellationToken);
            if (followed is null || !envelope.TryOpen(payloadType, followed, out payload, out refusal))
            {
                return new Opened<T>(null, null, $"The registry's signed {what} does not verify with the pinned signing key {Short(pinned)} ({refusal}); it was refused and nothing was imported or deleted. If the registry's signing key was replaced on purpose (not by a rotation), pin the new one with 'amc config set registry.signing_key <key from aar status>'; otherwise something that is not the registry answers at registry.url.");
            }

            pinned = followed;
        }

        try
        {
            return JsonSerializer.Deserialize(payload, type) is { } value
                ? new Opened<T>(value, pinned, null)
                : new Opened<T>(null, null, $"The registry's signed {what} verified, but its payload is null; nothing was imported or deleted.");
        }
        catch (JsonException ex)
        {
            return new Opened<T>(null, null, $"The registry's signed {what} verified, but its payload is not the JSON this API sends ({ex.Message}); nothing was imported or deleted.");
        }
    }

    private async Task<(SigningPublicKey? Key, string? Error)> PinOnFirstUseAsync(RegistryConnection registry, CancellationToken cancellationToken)
    {
        var info = await registry.Client.GetSigningKeyAsync(cancellationToken);
        if (!info.Succeeded)
        {
            return (null, $"No registry.signing_key is pinned and the registry's key could not be read: {RegistryConnection.Explain(info.Problem!)}");
        }

        if (!SigningPublicKey.TryParse(info.Value!.PublicKey, out var key, out var error))
        {
            return (null, $"No registry.signing_key is pinned and the key the registry presents is not valid ({error}); nothing was imported or deleted.");
        }

        var set = await config.SetAsync(ConfigKeys.RegistrySigningKey, key!.Base64, cancellationToken, announce: false);
        if (!set.Succeeded)
        {
            return (null, set.Error!.Message);
        }

        await state.SetFirstUseKeyAsync(key.KeyId, cancellationToken);
        Log.SigningKeyPinnedOnFirstUse(logger, key.KeyId, registry.Url.GetLeftPart(UriPartial.Authority));
        return (key, null);
    }

    /// <summary>The newest key a chain of rotations signed by <paramref name="pinned"/> leads to, now pinned; null when none does.</summary>
    private async Task<SigningPublicKey?> FollowRotationsAsync(RegistryConnection registry, SigningPublicKey pinned, CancellationToken cancellationToken)
    {
        var info = await registry.Client.GetSigningKeyAsync(cancellationToken);
        if (!info.Succeeded || !RotationChain.TryFollow(pinned, info.Value!.Rotations, out var current, out var error) || current.KeyId == pinned.KeyId)
        {
            return null;
        }

        var set = await config.SetAsync(ConfigKeys.RegistrySigningKey, current.Base64, cancellationToken, announce: false);
        if (!set.Succeeded)
        {
            return null;
        }

        Log.SigningKeyRotated(logger, pinned.KeyId, current.KeyId);
        return current;
    }

    private static bool SameTags(IReadOnlyList<string>? signed, IReadOnlyList<string>? asked) =>
        (signed ?? []).Order(StringComparer.Ordinal).SequenceEqual((asked ?? []).Order(StringComparer.Ordinal), StringComparer.Ordinal);

    private static string Short(SigningPublicKey key) => key.KeyId[..16];

    private sealed record Opened<T>(T? Value, SigningPublicKey? Key, string? Error);

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Warning, Message = "Pinned the registry's signing key {KeyId} on first use (registry {Url}); pin it explicitly with a join token or 'amc config set registry.signing_key' to be protected from the first contact on")]
        public static partial void SigningKeyPinnedOnFirstUse(ILogger logger, string keyId, string url);

        [LoggerMessage(Level = LogLevel.Information, Message = "Followed the registry's signing key rotation from {OldKeyId} to {NewKeyId}")]
        public static partial void SigningKeyRotated(ILogger logger, string oldKeyId, string newKeyId);
    }
}

/// <summary>A verified value, or the sentence saying why there is none.</summary>
internal readonly record struct Verified<T>(T Value, string? Error)
{
    public bool Succeeded => Error is null;

    public static Verified<T> Ok(T value) => new(value, null);

    public static Verified<T> Fail(string error) => new(default!, error);
}
