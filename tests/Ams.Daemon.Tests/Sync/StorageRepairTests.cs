using TestSupport;
using Xunit.Abstractions;

namespace Ams.Daemon.Tests.Sync;

/// <summary>
/// Storage that heals itself, end to end over real mTLS (file store, or S3 when the run has one): a blob damaged in
/// the registry's store is quarantined by a scrub, the publisher's next pass re-sends it, and a client that could
/// not get it becomes ready, with no operator action beyond the scrub.
/// </summary>
public sealed class StorageRepairTests(ITestOutputHelper output)
{
    [Fact]
    public async Task A_damaged_blob_is_scrubbed_re_sent_by_the_publisher_and_the_client_recovers()
    {
        await using var rig = await SyncRig.StartAsync(output);
        var publisher = await rig.JoinAsync("publisher");
        await SyncRig.CreateAsync(publisher, "game");
        Assert.Equal(1, (await SyncRig.SyncAsync(publisher)).Uploaded);
        var source = (await SyncRig.FindAsync(publisher, "game"))!.Versions[0].Sha256;
        await StoredBlobDamage.FlipByteAsync(rig.Registry, "sha256:" + source, offset: 100);
        var client = await rig.JoinAsync("client");

        var servedDamaged = await SyncRig.SyncAsync(client);

        Assert.Equal(0, servedDamaged.Downloaded);
        Assert.NotEmpty(servedDamaged.Errors);
        Assert.Null(await ReadyAsync(client));

        using (var admin = rig.Registry.Admin())
        {
            var scrub = (await admin.ScrubAsync()).Value!;
            Assert.Equal(["sha256:" + source], scrub.Corrupt);
        }

        var quarantined = await SyncRig.SyncAsync(client);
        var resent = await SyncRig.SyncAsync(publisher);
        var recovered = await SyncRig.SyncAsync(client);

        Assert.Equal(0, quarantined.Downloaded);
        Assert.Contains(quarantined.Errors, e => e.Contains("has no blob sha256:" + source, StringComparison.Ordinal));
        Assert.Equal(("ok", 1), (resent.Result, resent.Uploaded));
        Assert.Equal(("ok", 1), (recovered.Result, recovered.Downloaded));
        Assert.Equal(source, await ReadyAsync(client));
        using (var admin = rig.Registry.Admin())
        {
            var clean = (await admin.ScrubAsync()).Value!;
            Assert.Empty(clean.Corrupt);
            Assert.Empty(clean.Missing);
        }

        var quiet = await SyncRig.SyncAsync(publisher);
        Assert.Equal(("ok", 0, 1), (quiet.Result, quiet.Uploaded, quiet.Unchanged));
    }

    /// <summary>The client's imported version digest once it is ready, else null.</summary>
    private static async Task<string?> ReadyAsync(AmsTestDaemon client)
    {
        var game = await SyncRig.FindAsync(client, "game");
        return game is { Status: "ready" } ? game.Versions[0].Sha256 : null;
    }
}
