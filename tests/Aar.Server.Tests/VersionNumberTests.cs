using System.Net;
using Aar.Protocol;
using Aar.Protocol.Http;
using Aar.Protocol.Registry;
using Xunit.Abstractions;
using static Aar.Server.Tests.ApplicationTests;
using static Aar.Server.Tests.StorageRegistry;
using static Aar.Server.Tests.TrustEnforcementTests;

namespace Aar.Server.Tests;

/// <summary>
/// Version numbers over real mTLS: a number that once named a digest keeps it after a delete (restoring the same
/// digest is allowed, another digest is 409), and a number has one spelling (<c>007</c> is refused).
/// </summary>
public sealed class VersionNumberTests(ITestOutputHelper output)
{
    [Fact]
    public async Task A_deleted_number_refuses_another_digest_and_accepts_its_own_again()
    {
        await using var registry = await StorageRegistry.StartAsync(output);
        var first = await StoreAsync(registry, 1000);
        var second = await StoreAsync(registry, 1000);
        (await CreateAsync(registry.Http, "game", "amd64", 3, first)).Dispose();
        using (var delete = await registry.Http.DeleteAsync("/1.0/applications/game/amd64/versions/3"))
        {
            Assert.Equal(HttpStatusCode.OK, delete.StatusCode);
        }

        using var other = await CreateAsync(registry.Http, "game", "amd64", 3, second);

        var problem = await AssertProblem(other, HttpStatusCode.Conflict, ProblemTypes.VersionConflict);
        Assert.Contains(first.Digest.ToString(), problem.Detail, StringComparison.Ordinal);
        Assert.Contains(second.Digest.ToString(), problem.Detail, StringComparison.Ordinal);
        Assert.Contains("never reused", problem.Detail, StringComparison.Ordinal);
        using (var listing = await registry.Http.GetAsync("/1.0/applications/game/amd64"))
        {
            Assert.Empty((await ReadAsync(listing, ProtocolJsonContext.Default.ApplicationRecord)).Versions);
        }

        using var restore = await CreateAsync(registry.Http, "game", "amd64", 3, first);
        using var next = await CreateAsync(registry.Http, "game", "amd64", 4, second);

        Assert.Equal(HttpStatusCode.Created, restore.StatusCode);
        Assert.Equal(HttpStatusCode.Created, next.StatusCode);
        Assert.Equal(3, (await ReadAsync(restore, ProtocolJsonContext.Default.ApplicationVersion)).Generation);
        using var get = await registry.Http.GetAsync("/1.0/applications/game/amd64");
        var application = await ReadAsync(get, ProtocolJsonContext.Default.ApplicationRecord);
        Assert.Equal([(3, first.Digest.ToString()), (4, second.Digest.ToString())], application.Versions.Select(v => (v.Version, v.Digest)));
    }

    [Fact]
    public async Task Numbers_outlive_the_application_and_its_owner()
    {
        await using var registry = await StorageRegistry.StartAsync(output);
        var newcomer = await registry.AddCallerAsync("publisher-2", TrustRole.Publisher);
        var first = await StoreAsync(registry, 500);
        var second = await StoreAsync(registry, 500);
        (await CreateAsync(registry.Http, "game", "amd64", 0, first)).Dispose();
        (await CreateAsync(registry.Http, "game", "amd64", 1, first)).Dispose();
        using (var admin = registry.Server.Admin())
        {
            Assert.NotNull((await admin.DeleteApplicationAsync("game", "amd64")).Value);
        }

        await registry.Server.RestartAsync(keepPort: true);
        using var reused = await CreateAsync(newcomer.Http, "game", "amd64", 1, second);
        using var otherArchitecture = await CreateAsync(newcomer.Http, "game", "arm64", 1, second);
        using var fresh = await CreateAsync(newcomer.Http, "game", "amd64", 2, second);

        await AssertProblem(reused, HttpStatusCode.Conflict, ProblemTypes.VersionConflict);
        Assert.Equal(HttpStatusCode.Created, otherArchitecture.StatusCode);
        Assert.Equal(HttpStatusCode.Created, fresh.StatusCode);
        using var get = await newcomer.Http.GetAsync("/1.0/applications/game/amd64");
        var application = await ReadAsync(get, ProtocolJsonContext.Default.ApplicationRecord);
        Assert.NotEqual(TestSupport.TestCertificates.FingerprintOf(registry.PublisherCertificate), application.Owner);
        Assert.Equal([2], application.Versions.Select(v => v.Version));
    }

    [Theory]
    [InlineData("007")]
    [InlineData("00")]
    [InlineData("01")]
    public async Task A_number_with_leading_zeros_is_refused_on_every_route(string spelling)
    {
        await using var registry = await StorageRegistry.StartAsync(output);
        var blob = await StoreAsync(registry, 100);
        var canonical = int.Parse(spelling, System.Globalization.CultureInfo.InvariantCulture);
        (await CreateAsync(registry.Http, "game", "amd64", canonical, blob)).Dispose();
        var path = $"/1.0/applications/game/amd64/versions/{spelling}";

        using var put = await registry.Http.PutAsync(path, Json($$"""{"digest":"{{blob.Digest}}","size":100}"""));
        using var get = await registry.Http.GetAsync(path);
        using var delete = await registry.Http.DeleteAsync(path);

        foreach (var response in new[] { put, get, delete })
        {
            var problem = await AssertProblem(response, HttpStatusCode.BadRequest, ProblemTypes.InvalidVersion);
            Assert.Contains("leading zeros", problem.Detail, StringComparison.Ordinal);
        }

        using var listing = await registry.Http.GetAsync("/1.0/applications/game/amd64");
        Assert.Equal([canonical], (await ReadAsync(listing, ProtocolJsonContext.Default.ApplicationRecord)).Versions.Select(v => v.Version));
    }
}
