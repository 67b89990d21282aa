using System.Net;
using Aar.Protocol;
using Aar.Protocol.Registry;
using Xunit.Abstractions;
using static Aar.Server.Tests.ApplicationTests;
using static Aar.Server.Tests.StorageRegistry;

namespace Aar.Server.Tests;

/// <summary>
/// A scrub over real mTLS, on the file store or S3 (whichever the run uses): a damaged blob is quarantined (HEAD and
/// GET 404, the bytes kept aside), versions naming it are listed with <c>blob_missing</c> until the publisher sends
/// the blob again, and then everything is as before.
/// </summary>
public sealed class ScrubRepairTests(ITestOutputHelper output)
{
    [Fact]
    public async Task A_damaged_blob_is_quarantined_flagged_and_healed_by_a_new_upload()
    {
        await using var registry = await StorageRegistry.StartAsync(output);
        var healthy = await StoreAsync(registry, 1000);
        var damaged = await StoreAsync(registry, 3000);
        (await CreateAsync(registry.Http, "game", "amd64", 0, healthy)).Dispose();
        (await CreateAsync(registry.Http, "game", "amd64", 1, damaged)).Dispose();
        var bytes = await registry.ReadStoredAsync(damaged);
        bytes[1234] ^= 0xff;
        await registry.OverwriteStoredAsync(damaged, bytes);
        using var admin = registry.Server.Admin();
        var before = await ListAsync(registry);

        var report = (await admin.ScrubAsync()).Value!;

        Assert.Equal([damaged.Digest.ToString()], report.Corrupt);
        Assert.Empty(report.Missing);
        Assert.Equal(HttpStatusCode.NotFound, await HeadAsync(registry, damaged));
        using (var get = await registry.Http.GetAsync($"/1.0/blobs/{damaged.Digest}"))
        {
            Assert.Equal(HttpStatusCode.NotFound, get.StatusCode);
        }

        Assert.Equal(HttpStatusCode.OK, await HeadAsync(registry, healthy));
        Assert.Equal(bytes, await QuarantinedAsync(registry, damaged));
        var flagged = await ListAsync(registry);
        Assert.True(flagged.Generation > before.Generation);
        Assert.Equal([null, true], flagged.Applications.Single().Versions.Select(v => v.BlobMissing));
        using (var raw = await registry.Http.GetAsync("/1.0/applications/game/amd64/versions/1"))
        {
            Assert.Contains("\"blob_missing\":true", await raw.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        var again = (await admin.ScrubAsync()).Value!;
        Assert.Empty(again.Corrupt);
        Assert.Equal([damaged.Digest.ToString()], again.Missing);
        Assert.Equal(flagged.Generation, (await ListAsync(registry)).Generation);

        using (var resend = await registry.PutBlobAsync(damaged))
        {
            Assert.Equal(HttpStatusCode.Created, resend.StatusCode);
        }

        var healed = await ListAsync(registry);
        Assert.True(healed.Generation > flagged.Generation);
        Assert.All(healed.Applications.Single().Versions, v => Assert.Null(v.BlobMissing));
        Assert.Equal(damaged.Bytes, await registry.ReadStoredAsync(damaged));
        var clean = (await admin.ScrubAsync()).Value!;
        Assert.Empty(clean.Corrupt);
        Assert.Empty(clean.Missing);
    }

    [Fact]
    public async Task A_blob_that_vanished_is_flagged_until_it_is_uploaded_again()
    {
        await using var registry = await StorageRegistry.StartAsync(output);
        var lost = await StoreAsync(registry, 2000);
        (await CreateAsync(registry.Http, "game", "amd64", 0, lost)).Dispose();
        await registry.DeleteStoredAsync(lost);
        using var admin = registry.Server.Admin();

        var report = (await admin.ScrubAsync()).Value!;

        Assert.Equal([lost.Digest.ToString()], report.Missing);
        Assert.True((await ListAsync(registry)).Applications.Single().Versions.Single().BlobMissing);
        using (var resend = await registry.PutBlobAsync(lost))
        {
            Assert.Equal(HttpStatusCode.Created, resend.StatusCode);
        }

        using var get = await registry.Http.GetAsync("/1.0/applications/game/amd64");
        Assert.Null((await ReadAsync(get, ProtocolJsonContext.Default.ApplicationRecord)).Versions.Single().BlobMissing);
    }

    [Fact]
    public async Task The_scheduled_scrub_quarantines_without_an_operator()
    {
        await using var registry = await StorageRegistry.StartAsync(output, options => options with { ScrubInterval = TimeSpan.FromSeconds(1) });
        var blob = await StoreAsync(registry, 1000);
        (await CreateAsync(registry.Http, "game", "amd64", 0, blob)).Dispose();
        var bytes = await registry.ReadStoredAsync(blob);
        bytes[0] ^= 0xff;
        await registry.OverwriteStoredAsync(blob, bytes);

        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        // The scrub quarantines first and flags the version after (the other order could let a listing between the
        // two clear the flag of a blob that is still there), so wait for both.
        while ((await HeadAsync(registry, blob) != HttpStatusCode.NotFound || (await ListAsync(registry)).Applications.Single().Versions.Single().BlobMissing != true)
            && DateTime.UtcNow < deadline)
        {
            await Task.Delay(200);
        }

        Assert.Equal(HttpStatusCode.NotFound, await HeadAsync(registry, blob));
        Assert.True((await ListAsync(registry)).Applications.Single().Versions.Single().BlobMissing);
    }

    private static async Task<HttpStatusCode> HeadAsync(StorageRegistry registry, TestBlob blob)
    {
        using var request = new HttpRequestMessage(HttpMethod.Head, $"/1.0/blobs/{blob.Digest}");
        using var response = await registry.Http.SendAsync(request);
        return response.StatusCode;
    }

    private static async Task<ApplicationListing> ListAsync(StorageRegistry registry)
    {
        using var response = await registry.Http.GetAsync("/1.0/applications");
        return await ReadAsync(response, ProtocolJsonContext.Default.ApplicationListing);
    }

    /// <summary>The quarantined copy's bytes: <c>quarantine/&lt;hex&gt;.&lt;ms&gt;</c> in the data directory or under the S3 prefix.</summary>
    private static async Task<byte[]> QuarantinedAsync(StorageRegistry registry, TestBlob blob)
    {
        if (registry.S3 is not { } s3)
        {
            var file = Assert.Single(Directory.GetFiles(Path.Combine(registry.Server.DataDirectory, "quarantine"), blob.Digest.Hex + ".*"));
            return await File.ReadAllBytesAsync(file);
        }

        var keys = new List<string>();
        await foreach (var item in s3.ListAsync(s3.Options.Prefix + "quarantine/" + blob.Digest.Hex + ".", CancellationToken.None))
        {
            keys.Add(item.Key);
        }

        using var response = await s3.Client.GetObjectAsync(s3.Bucket, Assert.Single(keys));
        using var copy = new MemoryStream();
        await response.ResponseStream.CopyToAsync(copy);
        return copy.ToArray();
    }
}
