using System.Net;
using Microsoft.Extensions.Time.Testing;
using Xunit.Abstractions;
using static Aar.Server.Tests.ApplicationTests;

namespace Aar.Server.Tests;

/// <summary>Unreferenced blobs are deleted after the grace period; referenced or recently used ones stay.</summary>
public sealed class BlobCollectorTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Blobs_no_version_names_are_deleted_after_the_grace_period_unless_recently_used()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var registry = await StorageRegistry.StartAsync(output, o => o with { BlobGracePeriod = TimeSpan.FromHours(1) }, time);
        var kept = await StoreAsync(registry, 1000);
        var orphan = await StoreAsync(registry, 1000);
        var deleted = await StoreAsync(registry, 1000);
        var asked = await StoreAsync(registry, 1000);
        (await CreateAsync(registry.Http, "game", "amd64", 0, kept)).Dispose();
        (await CreateAsync(registry.Http, "game", "amd64", 1, deleted)).Dispose();
        (await registry.Http.DeleteAsync("/1.0/applications/game/amd64/versions/1")).Dispose();

        time.Advance(TimeSpan.FromMinutes(50));
        using (var head = await registry.Http.SendAsync(new HttpRequestMessage(HttpMethod.Head, $"/1.0/blobs/{asked.Digest}")))
        {
            Assert.Equal(HttpStatusCode.OK, head.StatusCode);
        }

        time.Advance(TimeSpan.FromMinutes(20));
        await WaitAsync(() => registry.StoredFiles().Count == 2);

        Assert.Equal(new[] { kept.RelativePath, asked.RelativePath }.Order(StringComparer.Ordinal), registry.StoredFiles());
        Assert.DoesNotContain(orphan.RelativePath, registry.StoredFiles());
        using var stillServed = await registry.Http.GetAsync($"/1.0/blobs/{kept.Digest}");
        Assert.Equal(kept.Bytes, await stillServed.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task A_version_cannot_name_a_blob_the_collector_removed()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var registry = await StorageRegistry.StartAsync(output, o => o with { BlobGracePeriod = TimeSpan.FromHours(1) }, time);
        var blob = await StoreAsync(registry, 1000);

        time.Advance(TimeSpan.FromMinutes(70));
        await WaitAsync(() => registry.StoredFiles().Count == 0);
        using var create = await CreateAsync(registry.Http, "game", "amd64", 0, blob);

        await TrustEnforcementTests.AssertProblem(create, HttpStatusCode.BadRequest, Protocol.Http.ProblemTypes.BlobUnknown);
    }

    private static async Task WaitAsync(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (!condition() && DateTime.UtcNow < deadline)
        {
            await Task.Delay(50);
        }
    }
}
