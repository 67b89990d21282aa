using System.Security.Cryptography.X509Certificates;
using Aar.Protocol.Registry;
using Microsoft.Extensions.Time.Testing;
using TestSupport;
using Xunit.Abstractions;

namespace Ams.Daemon.Tests.Sync;

/// <summary>
/// The signing key against real registries over real mTLS: a join pins it; an impostor holding a copy of the real
/// registry's TLS certificate and key, but not its signing key, imports and deletes nothing; a rotation made with the
/// registry's own command is followed without a re-join.
/// </summary>
public sealed class SigningKeyTrustTests(ITestOutputHelper output)
{
    [Fact]
    public async Task An_impostor_with_the_registrys_tls_key_but_not_its_signing_key_is_refused()
    {
        await using var rig = await SyncRig.StartAsync(output);
        var publisher = await rig.JoinAsync("publisher");
        var client = await rig.JoinAsync("client");
        await SyncRig.CreateAsync(publisher, "real");
        await SyncRig.SyncAsync(publisher);
        Assert.Equal("ok", (await SyncRig.SyncAsync(client)).Result);
        Assert.NotNull(await SyncRig.FindAsync(client, "real"));

        // The impostor: another registry started on a copy of the real one's TLS pair (same fingerprint), with its own
        // signing key and its own application, trusting the client's certificate.
        using var impostorData = new TempDirectory();
        var certs = Directory.CreateDirectory(Path.Combine(impostorData.Path, "data", "certs"));
        foreach (var file in new[] { "server.crt", "server.key" })
        {
            File.Copy(Path.Combine(rig.Registry.DataDirectory, "certs", file), Path.Combine(certs.FullName, file));
        }

        await using var impostor = new SyncRig(output, await RegistryTestServer.StartAsync(output, Path.Combine(impostorData.Path, "data")));
        Assert.Equal(rig.Registry.ServerFingerprint, impostor.Registry.ServerFingerprint);
        var impostorPublisher = await impostor.JoinAsync("publisher");
        await SyncRig.CreateAsync(impostorPublisher, "evil");
        await SyncRig.SyncAsync(impostorPublisher);
        using (var certificate = X509Certificate2.CreateFromPem(File.ReadAllText(Path.Combine(client.DataDirectory, "registry", "client.crt"))))
        {
            await impostor.Registry.TrustAsync(certificate, TrustRole.Client);
        }

        using var management = client.Client();
        Assert.True((await management.SetConfigAsync("registry.url", impostor.Registry.Address.ToString().TrimEnd('/'))).Succeeded);
        var report = await SyncRig.SyncAsync(client);

        Assert.Equal("failed", report.Result);
        Assert.Contains("does not verify with the pinned signing key", Assert.Single(report.Errors), StringComparison.Ordinal);
        Assert.Null(await SyncRig.FindAsync(client, "evil"));
        Assert.NotNull(await SyncRig.FindAsync(client, "real"));
        var status = (await management.GetRegistryStatusAsync()).Value!;
        Assert.Contains("does not verify with the pinned signing key", Assert.Single(status.LastPass!.Errors), StringComparison.Ordinal);
        Assert.Equal("configured", status.SigningKey!.PinnedBy);

        // The control: the same AMS pinned to the impostor's key (an operator's explicit choice) does import from it.
        using var admin = impostor.Registry.Admin();
        var impostorKey = (await admin.GetSigningKeyAsync()).Value!.PublicKey;
        Assert.True((await management.SetConfigAsync("registry.signing_key", impostorKey)).Succeeded);
        var trusting = await SyncRig.SyncAsync(client); // the change itself may have started the pass that imports
        Assert.True(trusting.Result is "ok" or "unchanged", string.Join(" | ", trusting.Errors));
        Assert.NotNull(await SyncRig.FindAsync(client, "evil"));
    }

    [Fact]
    public async Task A_join_pins_the_signing_key_and_a_rotation_is_followed_without_a_rejoin()
    {
        await using var rig = await SyncRig.StartAsync(output);
        var publisher = await rig.JoinAsync("publisher");
        var client = await rig.JoinAsync("client");
        using var admin = rig.Registry.Admin();
        var first = (await admin.GetSigningKeyAsync()).Value!;
        using var management = client.Client();
        var pinned = (await management.GetRegistryStatusAsync()).Value!.SigningKey!;
        Assert.Equal(first.KeyId, pinned.KeyId);
        Assert.Equal("configured", pinned.PinnedBy);

        var rotated = await admin.RotateSigningKeyAsync();
        Assert.True(rotated.Succeeded, rotated.Problem?.Detail);
        Assert.NotEqual(first.KeyId, rotated.Value!.KeyId);
        await SyncRig.CreateAsync(publisher, "after-rotation");
        await SyncRig.SyncAsync(publisher);

        var report = await SyncRig.SyncAsync(client);

        Assert.True(report.Result == "ok", string.Join(" | ", report.Errors));
        Assert.NotNull(await SyncRig.FindAsync(client, "after-rotation"));
        var status = (await management.GetRegistryStatusAsync()).Value!;
        Assert.Equal(rotated.Value.KeyId, status.SigningKey!.KeyId);
        Assert.Equal(rotated.Value.PublicKey, (await management.GetConfigAsync()).Value!.Config["registry.signing_key"]);
        Assert.True(status.SigningKey.ListingExpiresAt > DateTimeOffset.UtcNow.AddHours(23));

        // The publisher follows too: its push pass reads the same signed listing.
        var pushed = await SyncRig.SyncAsync(publisher);
        Assert.True(pushed.Result is "ok" or "unchanged", string.Join(" | ", pushed.Errors));
    }

    [Fact]
    public async Task A_304_stands_only_in_the_first_half_of_the_listings_validity_and_an_expired_one_is_refused()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var rig = await SyncRig.StartAsync(output);
        var publisher = await rig.JoinAsync("publisher");
        var client = await rig.JoinAsync("client", time: time);
        await SyncRig.CreateAsync(publisher, "game");
        await SyncRig.SyncAsync(publisher);
        Assert.Equal("ok", (await SyncRig.SyncAsync(client)).Result);
        Assert.Equal("unchanged", (await SyncRig.SyncAsync(client)).Result);

        // 13 h later (validity 24 h): the last signed listing is past half its life, so the AMS asks for a fresh one
        // instead of accepting an unsigned 304 (an attacker answering 304 forever freezes it for at most that long).
        time.Advance(TimeSpan.FromHours(13));
        var refreshed = await SyncRig.SyncAsync(client);
        Assert.True(refreshed.Result == "ok", $"{refreshed.Result}: {string.Join(" | ", refreshed.Errors)}");
        Assert.Equal(1, refreshed.Unchanged);

        // On a clock a day ahead of the registry's, every listing it signs is already expired: refused, nothing deleted.
        time.Advance(TimeSpan.FromHours(12));
        var expired = await SyncRig.SyncAsync(client);
        Assert.Equal("failed", expired.Result);
        Assert.Contains("The registry's signed listing expired at", Assert.Single(expired.Errors), StringComparison.Ordinal);
        Assert.NotNull(await SyncRig.FindAsync(client, "game"));
    }
}
