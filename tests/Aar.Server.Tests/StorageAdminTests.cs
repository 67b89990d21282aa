using Aar.Protocol;
using Aar.Protocol.Registry;
using Xunit.Abstractions;
using static Aar.Server.Tests.ApplicationTests;
using static Aar.Server.Tests.StorageRegistry;

namespace Aar.Server.Tests;

/// <summary>The admin socket's storage view: status counts and the scrub that finds damaged or missing blobs.</summary>
public sealed class StorageAdminTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Status_counts_versions_storage_certificates_and_uploads_in_flight()
    {
        await using var registry = await StorageRegistry.StartAsync(output);
        await registry.AddCallerAsync("ams-client", TrustRole.Client);
        var blob = await StoreAsync(registry, 1000);
        (await CreateAsync(registry.Http, "game", "amd64", 0, blob)).Dispose();
        (await CreateAsync(registry.Http, "game", "amd64", 1, blob)).Dispose();
        var session = await UploadSessionTests.StartAsync(registry);
        (await registry.Http.PatchAsync(session.Location, Chunk(new byte[300], 0))).Dispose();
        using var admin = registry.Server.Admin();

        var status = await admin.GetStatusAsync();

        Assert.True(status.Succeeded, status.Problem?.Detail);
        Assert.Equal(
            status.Value! with { ServerVersion = "x" },
            new Protocol.Admin.RegistryStatus
            {
                ServerVersion = "x",
                Generation = 2,
                Applications = 1,
                Versions = 2,
                Blobs = 1,
                BlobBytes = 1000,
                UploadsInFlight = 1,
                UploadBytes = 300,
                TrustedPublishers = 1,
                TrustedClients = 1,
                RevokedCertificates = 0,
                SigningKeyId = status.Value!.SigningKeyId,
                SigningPublicKey = status.Value.SigningPublicKey,
            });
        Assert.Matches("^[0-9a-f]{64}$", status.Value.SigningKeyId);
        Assert.Equal((await registry.Typed().GetSigningKeyAsync()).Value!.PublicKey, status.Value.SigningPublicKey);
    }

    [Fact]
    public async Task Scrub_reports_a_blob_damaged_on_disk_and_one_that_is_missing()
    {
        await using var registry = await StorageRegistry.StartAsync(output);
        var healthy = await StoreAsync(registry, 1000);
        var damaged = await StoreAsync(registry, 1000);
        var lost = await StoreAsync(registry, 1000);
        (await CreateAsync(registry.Http, "game", "amd64", 0, lost)).Dispose();
        var bytes = await registry.ReadStoredAsync(damaged);
        bytes[500] ^= 0xff;
        await registry.OverwriteStoredAsync(damaged, bytes);
        await registry.DeleteStoredAsync(lost);
        using var admin = registry.Server.Admin();

        var report = await admin.ScrubAsync();

        Assert.True(report.Succeeded, report.Problem?.Detail);
        Assert.Equal(2, report.Value!.Checked);
        Assert.Equal(2000, report.Value.Bytes);
        Assert.Equal([damaged.Digest.ToString()], report.Value.Corrupt);
        Assert.Equal([lost.Digest.ToString()], report.Value.Missing);
        Assert.DoesNotContain(healthy.Digest.ToString(), report.Value.Corrupt);
    }

    [Fact]
    public async Task The_admin_listing_and_show_match_what_publishers_see()
    {
        await using var registry = await StorageRegistry.StartAsync(output);
        var blob = await StoreAsync(registry, 100);
        (await CreateAsync(registry.Http, "game", "amd64", 0, blob)).Dispose();
        (await CreateAsync(registry.Http, "game", "arm64", 0, blob)).Dispose();
        using var admin = registry.Server.Admin();

        var listing = await admin.ListApplicationsAsync("arm64");
        var show = await admin.GetApplicationAsync("game");
        var missing = await admin.GetApplicationAsync("nothing");

        Assert.Equal(["game/arm64"], listing.Value!.Applications.Select(a => $"{a.Name}/{a.Architecture}"));
        Assert.Equal(["amd64", "arm64"], show.Value!.Select(a => a.Architecture));
        Assert.Equal(Protocol.Http.ProblemTypes.ApplicationNotFound, missing.Problem?.Type);
        using var publicView = await registry.Http.GetAsync("/1.0/applications/game/arm64");
        Assert.Equal(
            System.Text.Json.JsonSerializer.Serialize(show.Value![1], ProtocolJsonContext.Default.ApplicationRecord),
            await publicView.Content.ReadAsStringAsync());
    }
}
