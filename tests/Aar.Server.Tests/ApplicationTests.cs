using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Aar.Protocol;
using Aar.Protocol.Http;
using Aar.Protocol.Registry;
using Xunit.Abstractions;
using static Aar.Server.Tests.StorageRegistry;
using static Aar.Server.Tests.TrustEnforcementTests;

namespace Aar.Server.Tests;

/// <summary>Versions over real mTLS: immutability, ownership, races, names, and the operator's override.</summary>
public sealed class ApplicationTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Creating_a_version_records_it_with_its_publisher_and_generation()
    {
        await using var registry = await StorageRegistry.StartAsync(output);
        var blob = await StoreAsync(registry, 1000);

        using var response = await CreateAsync(registry.Http, "game", "amd64", 0, blob, """{"name":"game","instance-type":"a2.3"}""", "\"tags\":[\"beta\",\"eu\"]");

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.Equal("/1.0/applications/game/amd64/versions/0", response.Headers.Location?.OriginalString);
        var version = await ReadAsync(response, ProtocolJsonContext.Default.ApplicationVersion);
        Assert.Equal(0, version.Version);
        Assert.Equal(blob.Digest.ToString(), version.Digest);
        Assert.Equal(1000, version.Size);
        Assert.Equal(["beta", "eu"], version.Tags);
        Assert.Equal("a2.3", version.Manifest.GetProperty("instance-type").GetString());
        Assert.Equal(Fingerprint(registry), version.Publisher);
        Assert.Equal(1, version.Generation);
        using var get = await registry.Http.GetAsync("/1.0/applications/game/amd64");
        var application = await ReadAsync(get, ProtocolJsonContext.Default.ApplicationRecord);
        Assert.Equal(Fingerprint(registry), application.Owner);
        Assert.Equal([0], application.Versions.Select(v => v.Version));
    }

    [Fact]
    public async Task Re_creating_the_same_version_is_idempotent_and_another_digest_is_409_naming_both()
    {
        await using var registry = await StorageRegistry.StartAsync(output);
        var first = await StoreAsync(registry, 1000);
        var second = await StoreAsync(registry, 1000);
        (await CreateAsync(registry.Http, "game", "amd64", 3, first)).Dispose();

        using var same = await CreateAsync(registry.Http, "game", "amd64", 3, first);
        using var other = await CreateAsync(registry.Http, "game", "amd64", 3, second);

        Assert.Equal(HttpStatusCode.OK, same.StatusCode);
        Assert.Equal(1, (await ReadAsync(same, ProtocolJsonContext.Default.ApplicationVersion)).Generation);
        var problem = await AssertProblem(other, HttpStatusCode.Conflict, ProblemTypes.VersionConflict);
        Assert.Contains(first.Digest.ToString(), problem.Detail, StringComparison.Ordinal);
        Assert.Contains(second.Digest.ToString(), problem.Detail, StringComparison.Ordinal);
        using var get = await registry.Http.GetAsync("/1.0/applications/game/amd64/versions/3");
        Assert.Equal(first.Digest.ToString(), (await ReadAsync(get, ProtocolJsonContext.Default.ApplicationVersion)).Digest);
    }

    [Fact]
    public async Task Another_publisher_gets_409_naming_the_owner_and_cannot_delete()
    {
        await using var registry = await StorageRegistry.StartAsync(output);
        var intruder = await registry.AddCallerAsync("publisher-2", TrustRole.Publisher);
        var blob = await StoreAsync(registry, 1000);
        (await CreateAsync(registry.Http, "game", "amd64", 0, blob)).Dispose();

        using var create = await CreateAsync(intruder.Http, "game", "amd64", 1, blob);
        using var deleteVersion = await intruder.Http.DeleteAsync("/1.0/applications/game/amd64/versions/0");
        using var deleteApplication = await intruder.Http.DeleteAsync("/1.0/applications/game/amd64");
        using var otherArchitecture = await CreateAsync(intruder.Http, "game", "arm64", 0, blob);

        foreach (var response in new[] { create, deleteVersion, deleteApplication })
        {
            var problem = await AssertProblem(response, HttpStatusCode.Conflict, ProblemTypes.ApplicationOwned);
            Assert.Equal(Fingerprint(registry), problem.Fingerprint);
            Assert.Contains(Fingerprint(registry), problem.Detail, StringComparison.Ordinal);
            Assert.Contains("publisher-1", problem.Detail, StringComparison.Ordinal);
        }

        Assert.Equal(HttpStatusCode.Created, otherArchitecture.StatusCode);
        using var listing = await registry.Http.GetAsync("/1.0/applications?architecture=amd64");
        Assert.Equal([0], (await ReadAsync(listing, ProtocolJsonContext.Default.ApplicationListing)).Applications.Single().Versions.Select(v => v.Version));
    }

    [Fact]
    public async Task Two_publishers_racing_for_the_same_version_get_one_winner()
    {
        await using var registry = await StorageRegistry.StartAsync(output);
        var rivals = new List<HttpClient> { registry.Http };
        for (var i = 2; i <= 4; i++)
        {
            rivals.Add((await registry.AddCallerAsync($"publisher-{i}", TrustRole.Publisher)).Http);
        }

        var blobs = new List<TestBlob>();
        foreach (var _ in rivals)
        {
            blobs.Add(await StoreAsync(registry, 500));
        }

        var responses = await Task.WhenAll(rivals.Select((http, i) => CreateAsync(http, "race", "amd64", 0, blobs[i])));

        Assert.Single(responses, r => r.StatusCode == HttpStatusCode.Created);
        Assert.All(responses.Where(r => r.StatusCode != HttpStatusCode.Created), r => Assert.Equal(HttpStatusCode.Conflict, r.StatusCode));
        var winner = Array.FindIndex(responses, r => r.StatusCode == HttpStatusCode.Created);
        using var get = await registry.Http.GetAsync("/1.0/applications/race/amd64");
        var application = await ReadAsync(get, ProtocolJsonContext.Default.ApplicationRecord);
        Assert.Equal(blobs[winner].Digest.ToString(), application.Versions.Single().Digest);
        foreach (var response in responses)
        {
            response.Dispose();
        }
    }

    [Fact]
    public async Task A_version_needs_its_blob_uploaded_with_the_declared_size()
    {
        await using var registry = await StorageRegistry.StartAsync(output);
        var stored = await StoreAsync(registry, 1000);
        var missing = TestBlob.Random(1000);

        using var absent = await CreateAsync(registry.Http, "game", "amd64", 0, missing);
        using var wrongSize = await registry.Http.PutAsync("/1.0/applications/game/amd64/versions/0", Json($$"""{"digest":"{{stored.Digest}}","size":999}"""));
        using var badDigest = await registry.Http.PutAsync("/1.0/applications/game/amd64/versions/0", Json("""{"digest":"md5:abc","size":999}"""));
        using var badManifest = await registry.Http.PutAsync("/1.0/applications/game/amd64/versions/0", Json($$"""{"digest":"{{stored.Digest}}","size":1000,"manifest":[1,2]}"""));
        using var badTag = await registry.Http.PutAsync("/1.0/applications/game/amd64/versions/0", Json($$"""{"digest":"{{stored.Digest}}","size":1000,"tags":["a,b"]}"""));
        using var badJson = await registry.Http.PutAsync("/1.0/applications/game/amd64/versions/0", Json("""{"digest": """));
        using var noDigest = await registry.Http.PutAsync("/1.0/applications/game/amd64/versions/0", Json("""{"size": 5}"""));

        await AssertProblem(absent, HttpStatusCode.BadRequest, ProblemTypes.BlobUnknown);
        await AssertProblem(wrongSize, HttpStatusCode.BadRequest, ProblemTypes.SizeMismatch);
        await AssertProblem(badDigest, HttpStatusCode.BadRequest, ProblemTypes.InvalidDigest);
        await AssertProblem(badManifest, HttpStatusCode.BadRequest, ProblemTypes.InvalidManifest);
        await AssertProblem(badTag, HttpStatusCode.BadRequest, ProblemTypes.InvalidManifest);
        await AssertProblem(badJson, HttpStatusCode.BadRequest, ProblemTypes.InvalidRequest);
        await AssertProblem(noDigest, HttpStatusCode.BadRequest, ProblemTypes.InvalidRequest);
        await AssertEmptyAsync(registry);
    }

    [Theory]
    [InlineData("..%2F..%2Fetc", "amd64", ProblemTypes.InvalidName)]
    [InlineData("a%2fb", "amd64", ProblemTypes.InvalidName)]
    [InlineData("a%00b", "amd64", "kestrel")]
    [InlineData("a%20b", "amd64", ProblemTypes.InvalidName)]
    [InlineData("%2E%2E", "amd64", null)]
    [InlineData("..", "amd64", null)]
    [InlineData("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "amd64", ProblemTypes.InvalidName)]
    [InlineData("game", "..%2F..", ProblemTypes.InvalidArchitecture)]
    [InlineData("game", "AMD64", ProblemTypes.InvalidArchitecture)]
    [InlineData("game", "amd64%00", "kestrel")]
    [InlineData("game", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", ProblemTypes.InvalidArchitecture)]
    public async Task Names_and_architectures_with_path_characters_are_refused_and_nothing_is_created(string name, string architecture, string? type)
    {
        await using var registry = await StorageRegistry.StartAsync(output);
        var blob = await StoreAsync(registry, 100);

        using var response = await registry.Http.PutAsync($"/1.0/applications/{name}/{architecture}/versions/0", Json($$"""{"digest":"{{blob.Digest}}","size":100}"""));

        if (type == "kestrel")
        {
            // Kestrel refuses a NUL in the request target itself (bare 400, before any middleware): no hook exists
            // to give it a problem body. NameRulesTests covers NUL reaching the rules.
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        }
        else if (type is null)
        {
            // Dot segments are resolved by the URL rules before routing, so the request names no application route.
            Assert.Contains(response.StatusCode, new[] { HttpStatusCode.NotFound, HttpStatusCode.BadRequest });
        }
        else
        {
            await AssertProblem(response, HttpStatusCode.BadRequest, type);
        }

        await AssertEmptyAsync(registry);
    }

    [Theory]
    [InlineData("-1")]
    [InlineData("1.5")]
    [InlineData("1e3")]
    [InlineData("9999999999")]
    [InlineData("%2E%2E")]
    public async Task Version_numbers_are_whole_numbers(string version)
    {
        await using var registry = await StorageRegistry.StartAsync(output);
        var blob = await StoreAsync(registry, 100);

        using var response = await registry.Http.PutAsync($"/1.0/applications/game/amd64/versions/{version}", Json($$"""{"digest":"{{blob.Digest}}","size":100}"""));

        // "%2E%2E" is a dot segment once decoded: the path becomes /1.0/applications/game/amd64, where PUT is a 405.
        Assert.Contains(response.StatusCode, new[] { HttpStatusCode.BadRequest, HttpStatusCode.NotFound, HttpStatusCode.MethodNotAllowed });
        if (response.StatusCode == HttpStatusCode.BadRequest)
        {
            await AssertProblem(response, HttpStatusCode.BadRequest, ProblemTypes.InvalidVersion);
        }

        await AssertEmptyAsync(registry);
    }

    [Fact]
    public async Task The_operator_deletes_any_application_through_the_admin_socket()
    {
        await using var registry = await StorageRegistry.StartAsync(output);
        var blob = await StoreAsync(registry, 100);
        (await CreateAsync(registry.Http, "game", "amd64", 0, blob)).Dispose();
        (await CreateAsync(registry.Http, "game", "amd64", 1, blob)).Dispose();
        using var admin = registry.Server.Admin();

        var version = await admin.DeleteApplicationAsync("game", "amd64", 0);
        var missing = await admin.DeleteApplicationAsync("game", "amd64", 7);
        var application = await admin.DeleteApplicationAsync("game", "amd64");

        Assert.Equal(new DeletionRecord { Generation = 3, Name = "game", Architecture = "amd64", Version = 0, DeletedAt = version.Value!.DeletedAt }, version.Value);
        Assert.Equal(ProblemTypes.VersionNotFound, missing.Problem?.Type);
        Assert.Null(application.Value!.Version);
        Assert.Equal(4, application.Value.Generation);
        await AssertEmptyAsync(registry);
    }

    internal static async Task<TestBlob> StoreAsync(StorageRegistry registry, int size)
    {
        var blob = TestBlob.Random(size);
        using var response = await registry.PutBlobAsync(blob);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return blob;
    }

    internal static Task<HttpResponseMessage> CreateAsync(HttpClient http, string name, string architecture, int version, TestBlob blob, string? manifest = null, string? extra = null) =>
        http.PutAsync(
            $"/1.0/applications/{name}/{architecture}/versions/{version}",
            Json($$"""{"digest":"{{blob.Digest}}","size":{{blob.Bytes.Length}}{{(manifest is null ? "" : ",\"manifest\":" + manifest)}}{{(extra is null ? "" : "," + extra)}}}"""));

    internal static StringContent Json(string json) => new(json, Encoding.UTF8, new MediaTypeHeaderValue("application/json"));

    private static string Fingerprint(StorageRegistry registry) => TestSupport.TestCertificates.FingerprintOf(registry.PublisherCertificate);

    private static async Task AssertEmptyAsync(StorageRegistry registry)
    {
        using var listing = await registry.Http.GetAsync("/1.0/applications");
        Assert.Empty((await ReadAsync(listing, ProtocolJsonContext.Default.ApplicationListing)).Applications);
    }
}
