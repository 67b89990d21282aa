using System.Text.Json;
using Aar.Cli.Common;
using Aar.Protocol;
using Aar.Protocol.Signing;
using TestSupport;
using Xunit.Abstractions;

namespace Amc.Cli.Tests;

/// <summary>
/// <c>amc registry verify</c> against a listing exported from a real registry: a listed package passes with the
/// versions it is, and a tampered listing, a wrong key, an unlisted package or a file that is not a listing each fail
/// with their own exit code and a sentence.
/// </summary>
public sealed class RegistryVerifyTests(ITestOutputHelper output)
{
    [Fact]
    public async Task A_package_is_checked_offline_against_an_exported_signed_listing()
    {
        await using var rig = await SyncRig.StartAsync(output);
        var client = await rig.JoinAsync("client");
        var package = TestPackage.Minimal("game").File("extra.bin", "version one").WriteZip(Path.Combine(client.Scratch, "game.zip"));
        var other = TestPackage.Minimal("game").File("extra.bin", "never published").WriteZip(Path.Combine(client.Scratch, "other.zip"));
        using (var publisher = await rig.RawPublisherAsync())
        {
            Assert.True((await publisher.PublishFileAsync("game", "amd64", 0, package)).Succeeded);
        }

        using var admin = rig.Registry.Admin();
        var exported = await admin.GetSignedApplicationsAsync();
        Assert.True(exported.Succeeded, exported.Problem?.Detail);
        var listing = Path.Combine(client.Scratch, "listing.json");
        await File.WriteAllTextAsync(listing, JsonSerializer.Serialize(exported.Value!, ProtocolJsonContext.Default.SignedEnvelope));
        var key = (await admin.GetSigningKeyAsync()).Value!.PublicKey;

        // With the daemon's pinned key (joined), and with the key given, no daemon needed.
        var pinned = await Amc.RunAsync(client.DataDirectory, ["registry", "verify", package, "--listing", listing, "--format", "json"]);
        var given = await Amc.RunAsync(Path.Combine(client.Scratch, "no-ams-here"), ["registry", "verify", package, "--listing", listing, "--signing-key", key]);

        Assert.Equal(ExitCodes.Ok, pinned.ExitCode);
        using (var json = JsonDocument.Parse(pinned.Out))
        {
            var version = Assert.Single(json.RootElement.GetProperty("versions").EnumerateArray());
            Assert.Equal("game", version.GetProperty("name").GetString());
            Assert.Equal(0, version.GetProperty("version").GetInt32());
            Assert.False(json.RootElement.GetProperty("expired").GetBoolean());
        }

        Assert.Equal(ExitCodes.Ok, given.ExitCode);
        Assert.Contains("name: game", given.Out, StringComparison.Ordinal);

        // Not listed; listing tampered with; another key; not a listing at all; larger than any listing.
        var unlisted = await Amc.RunAsync(client.DataDirectory, ["registry", "verify", other, "--listing", listing]);
        Assert.Equal(ExitCodes.NotFound, unlisted.ExitCode);
        Assert.Contains("is not in the signed listing", unlisted.Error, StringComparison.Ordinal);

        var envelope = exported.Value!;
        var payload = Convert.FromBase64String(envelope.Payload);
        payload[^2] ^= 0x01;
        var tampered = Path.Combine(client.Scratch, "tampered.json");
        await File.WriteAllTextAsync(tampered, JsonSerializer.Serialize(envelope with { Payload = Convert.ToBase64String(payload) }, ProtocolJsonContext.Default.SignedEnvelope));
        var refused = await Amc.RunAsync(client.DataDirectory, ["registry", "verify", package, "--listing", tampered]);
        Assert.Equal(ExitCodes.InvalidInput, refused.ExitCode);
        Assert.Contains("does not verify with signing key", refused.Error, StringComparison.Ordinal);

        using var stranger = SigningKeyPair.Create();
        var wrongKey = await Amc.RunAsync(client.DataDirectory, ["registry", "verify", package, "--listing", listing, "--signing-key", stranger.PublicKey.Base64]);
        Assert.Equal(ExitCodes.InvalidInput, wrongKey.ExitCode);

        var garbage = Path.Combine(client.Scratch, "garbage.json");
        await File.WriteAllTextAsync(garbage, "{\"payloadType\": [");
        var notListing = await Amc.RunAsync(client.DataDirectory, ["registry", "verify", package, "--listing", garbage]);
        Assert.Equal(ExitCodes.InvalidInput, notListing.ExitCode);
        Assert.Contains("is not a signed listing", notListing.Error, StringComparison.Ordinal);

        var huge = Path.Combine(client.Scratch, "huge.json");
        await using (var file = File.Create(huge))
        {
            file.SetLength(1L << 30); // sparse: refused by its size before a byte is read
        }

        var tooLarge = await Amc.RunAsync(client.DataDirectory, ["registry", "verify", package, "--listing", huge]);
        Assert.Equal(ExitCodes.InvalidInput, tooLarge.ExitCode);
        Assert.Contains("more than a signed listing can be", tooLarge.Error, StringComparison.Ordinal);

        var badKey = await Amc.RunAsync(client.DataDirectory, ["registry", "verify", package, "--listing", listing, "--signing-key", "bm90IGEga2V5"]);
        Assert.Equal(ExitCodes.Usage, badKey.ExitCode);
    }
}
