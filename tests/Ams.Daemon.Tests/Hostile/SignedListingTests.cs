using Aar.Protocol.Signing;
using TestSupport;
using Xunit.Abstractions;

namespace Ams.Daemon.Tests.Hostile;

/// <summary>
/// Listings and deletion records are believed only when the registry's signing key vouches for them: over real mTLS,
/// against a registry that holds the right TLS certificate but serves unsigned, tampered, expired, replayed, foreign or
/// misdirected listings, a real AMS refuses each with a sentence in its status, imports and deletes nothing, and heals
/// when the registry behaves.
/// </summary>
public sealed class SignedListingTests(ITestOutputHelper output)
{
    private const string Refused = "does not verify with the pinned signing key";

    [Theory]
    [InlineData(Misbehaviour.ListingUnsigned, Refused)]
    [InlineData(Misbehaviour.ListingFlippedByte, Refused)]
    [InlineData(Misbehaviour.ListingForeignKey, Refused)]
    [InlineData(Misbehaviour.ListingExpired, "The registry's signed listing expired at")]
    [InlineData(Misbehaviour.ListingOtherQuery, "The registry's signed listing answers another question (architecture 'arm64'")]
    public async Task A_listing_the_pinned_key_does_not_vouch_for_imports_nothing(Misbehaviour mode, string expected)
    {
        await using var rig = await HostileRig.StartAsync(output, mode);
        await PinAsync(rig);

        var report = await rig.SyncAsync();

        Assert.Equal(0, rig.Registry.BlobRequests);
        Assert.Contains(report.Errors, e => e.Contains("nothing was imported or deleted", StringComparison.Ordinal));
        await rig.AssertFailedThenRecoversAsync(report, expected);
    }

    [Fact]
    public async Task A_listing_replayed_from_an_older_generation_deletes_nothing()
    {
        await using var rig = await HostileRig.StartAsync(output, Misbehaviour.None);
        await SyncedAsync(rig);
        rig.Registry.Mode = Misbehaviour.ListingOlderGeneration;

        var report = await rig.SyncAsync();

        Assert.Equal("failed", report.Result);
        Assert.Contains("older than generation 1 this AMS already saw", Assert.Single(report.Errors), StringComparison.Ordinal);
        await AssertStillImportedAsync(rig);
    }

    [Theory]
    [InlineData(Misbehaviour.DeletionsUnsigned)]
    [InlineData(Misbehaviour.DeletionsForeignKey)]
    public async Task Deletion_records_the_pinned_key_did_not_sign_delete_nothing(Misbehaviour mode)
    {
        await using var rig = await HostileRig.StartAsync(output, Misbehaviour.None);
        await SyncedAsync(rig);
        rig.Registry.Mode = mode;

        var report = await rig.SyncAsync();

        Assert.Equal("failed", report.Result);
        Assert.Contains("The registry's signed deletion records does not verify with the pinned signing key", Assert.Single(report.Errors), StringComparison.Ordinal);
        await AssertStillImportedAsync(rig);

        // The control: the same deletion, signed, is applied.
        rig.Registry.Mode = Misbehaviour.DeletionsSigned;
        var signed = await rig.SyncAsync();
        Assert.True(signed.Result == "ok", string.Join(" | ", signed.Errors));
        Assert.Equal(1, signed.Deleted);
    }

    [Fact]
    public async Task A_rotation_signed_by_the_pinned_key_is_followed_without_a_rejoin_and_the_old_key_is_refused_after()
    {
        await using var rig = await HostileRig.StartAsync(output, Misbehaviour.None);
        var first = await PinAsync(rig);
        await SyncedAsync(rig);

        using var second = SigningKeyPair.Create();
        rig.Registry.Rotations.Add(KeyRotation.Sign(1, rig.Registry.SigningKey, second, DateTimeOffset.UtcNow));
        var old = rig.Registry.SigningKey;
        rig.Registry.SigningKey = second;
        var followed = await rig.SyncAsync();

        Assert.True(followed.Result is "ok" or "unchanged", string.Join(" | ", followed.Errors));
        var status = await rig.StatusAsync();
        Assert.Equal(second.PublicKey.KeyId, status.SigningKey!.KeyId);
        Assert.Equal("configured", status.SigningKey.PinnedBy);
        using (var client = rig.Daemon.Client())
        {
            Assert.Equal(second.PublicKey.Base64, (await client.GetConfigAsync()).Value!.Config["registry.signing_key"]);
        }

        // The rotated-out key (as a thief of it would use it) no longer counts, even with the rotation still listed.
        rig.Registry.SigningKey = old;
        var replay = await rig.SyncAsync();
        Assert.Equal("failed", replay.Result);
        Assert.Contains(Refused, Assert.Single(replay.Errors), StringComparison.Ordinal);
        rig.Registry.SigningKey = second;
        Assert.Equal(first, old.PublicKey.KeyId);
    }

    [Fact]
    public async Task A_rotation_not_signed_by_the_pinned_key_is_not_followed()
    {
        await using var rig = await HostileRig.StartAsync(output, Misbehaviour.None);
        var pinned = await PinAsync(rig);
        // Pinning starts a pass by itself; let it finish on the honest registry before the thief's rotation appears,
        // so what follows is decided by the rotation alone (it raced the rotation before: CI saw it import first).
        await SyncedAsync(rig);
        var downloads = rig.Registry.BlobRequests;
        using var thief = SigningKeyPair.Create();
        using var next = SigningKeyPair.Create();
        rig.Registry.Rotations.Add(KeyRotation.Sign(1, thief, next, DateTimeOffset.UtcNow));
        rig.Registry.SigningKey = next;

        var report = await rig.SyncAsync();

        Assert.Equal("failed", report.Result);
        Assert.Contains(Refused, Assert.Single(report.Errors), StringComparison.Ordinal);
        Assert.Equal(pinned, (await rig.StatusAsync()).SigningKey!.KeyId);
        Assert.Equal(downloads, rig.Registry.BlobRequests);
    }

    [Fact]
    public async Task Without_a_pinned_key_the_first_key_is_pinned_and_the_status_says_so()
    {
        await using var rig = await HostileRig.StartAsync(output, Misbehaviour.None);
        await SyncedAsync(rig);

        var status = await rig.StatusAsync();
        Assert.Equal(rig.Registry.SigningKey.PublicKey.KeyId, status.SigningKey!.KeyId);
        Assert.Equal("first-use", status.SigningKey.PinnedBy);
        Assert.Equal(1, status.SigningKey.ListingGeneration);
        Assert.True(status.SigningKey.ListingExpiresAt > DateTimeOffset.UtcNow);

        // From then on it is pinned: another key is refused.
        rig.Registry.Mode = Misbehaviour.ListingForeignKey;
        Assert.Contains(Refused, Assert.Single((await rig.SyncAsync()).Errors), StringComparison.Ordinal);
    }

    /// <summary>Pins the registry's key as an operator would from <c>aar status</c>; returns its key id.</summary>
    private static async Task<string> PinAsync(HostileRig rig)
    {
        using var client = rig.Daemon.Client();
        var set = await client.SetConfigAsync("registry.signing_key", rig.Registry.SigningKey.PublicKey.Base64);
        Assert.True(set.Succeeded, set.Problem?.Detail);
        return rig.Registry.SigningKey.PublicKey.KeyId;
    }

    private static async Task SyncedAsync(HostileRig rig)
    {
        var report = await rig.SyncAsync();
        Assert.True(report.Result is "ok" or "unchanged", string.Join(" | ", report.Errors));
    }

    private static async Task AssertStillImportedAsync(HostileRig rig)
    {
        using var client = rig.Daemon.Client();
        var imported = await client.GetApplicationAsync(rig.Registry.Name);
        Assert.True(imported.Succeeded, imported.Problem?.Detail);
        Assert.Equal(rig.Registry.Digest, "sha256:" + Assert.Single(imported.Value!.Versions).Sha256);
    }
}
