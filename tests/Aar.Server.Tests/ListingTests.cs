using System.Net;
using System.Net.Http.Headers;
using Aar.Protocol;
using Aar.Protocol.Http;
using Aar.Protocol.Registry;
using Xunit.Abstractions;
using static Aar.Server.Tests.ApplicationTests;
using static Aar.Server.Tests.StorageRegistry;
using static Aar.Server.Tests.TrustEnforcementTests;

namespace Aar.Server.Tests;

/// <summary>What pollers read: the listing with its generation and ETag, filters, and deletion records.</summary>
public sealed class ListingTests(ITestOutputHelper output)
{
    [Fact]
    public async Task An_unchanged_registry_answers_304_and_a_change_moves_the_generation()
    {
        await using var registry = await StorageRegistry.StartAsync(output);
        var reader = await registry.AddCallerAsync("ams-client", TrustRole.Client);
        var blob = await StoreAsync(registry, 100);
        (await CreateAsync(registry.Http, "game", "amd64", 0, blob)).Dispose();
        using var first = await reader.Http.GetAsync("/1.0/applications");
        var listing = await ReadAsync(first, ProtocolJsonContext.Default.ApplicationListing);
        Assert.Equal(1, listing.Generation);
        Assert.Equal("\"1\"", first.Headers.ETag?.Tag);

        using var unchanged = await GetAsync(reader.Http, "/1.0/applications", "\"1\"");
        Assert.Equal(HttpStatusCode.NotModified, unchanged.StatusCode);
        Assert.Empty(await unchanged.Content.ReadAsByteArrayAsync());

        (await CreateAsync(registry.Http, "game", "amd64", 1, blob)).Dispose();
        using var changed = await GetAsync(reader.Http, "/1.0/applications", "\"1\"");
        Assert.Equal(HttpStatusCode.OK, changed.StatusCode);
        var after = await ReadAsync(changed, ProtocolJsonContext.Default.ApplicationListing);
        Assert.Equal(2, after.Generation);
        Assert.Equal([0, 1], after.Applications.Single().Versions.Select(v => v.Version));
        Assert.Equal("2", changed.Headers.GetValues(RegistryRoutes.GenerationHeader).Single());
    }

    [Fact]
    public async Task The_listing_filters_by_architecture_and_tags()
    {
        await using var registry = await StorageRegistry.StartAsync(output);
        var blob = await StoreAsync(registry, 100);
        (await CreateAsync(registry.Http, "game", "amd64", 0, blob, extra: "\"tags\":[\"beta\"]")).Dispose();
        (await CreateAsync(registry.Http, "game", "arm64", 0, blob, extra: "\"tags\":[\"beta\"]")).Dispose();
        (await CreateAsync(registry.Http, "maps", "amd64", 0, blob, extra: "\"tags\":[\"stable\"]")).Dispose();
        (await CreateAsync(registry.Http, "chat", "amd64", 0, blob)).Dispose();

        Assert.Equal(["chat/amd64", "game/amd64", "maps/amd64"], await NamesAsync(registry.Http, "/1.0/applications?architecture=amd64"));
        Assert.Equal(["game/amd64", "game/arm64"], await NamesAsync(registry.Http, "/1.0/applications?tags=beta"));
        Assert.Equal(["game/amd64", "maps/amd64"], await NamesAsync(registry.Http, "/1.0/applications?architecture=amd64&tags=beta,stable"));
        using var invalid = await registry.Http.GetAsync("/1.0/applications?architecture=..%2F");
        await AssertProblem(invalid, HttpStatusCode.BadRequest, ProblemTypes.InvalidArchitecture);
    }

    [Fact]
    public async Task Deletes_leave_records_that_pollers_read_since_a_generation()
    {
        await using var registry = await StorageRegistry.StartAsync(output);
        var blob = await StoreAsync(registry, 100);
        (await CreateAsync(registry.Http, "game", "amd64", 0, blob)).Dispose();
        (await CreateAsync(registry.Http, "game", "amd64", 1, blob)).Dispose();
        (await CreateAsync(registry.Http, "maps", "amd64", 0, blob)).Dispose();

        using var deleteVersion = await registry.Http.DeleteAsync("/1.0/applications/game/amd64/versions/0");
        using var deleteApplication = await registry.Http.DeleteAsync("/1.0/applications/maps/amd64");
        using var again = await registry.Http.DeleteAsync("/1.0/applications/game/amd64/versions/0");
        using var unknown = await registry.Http.DeleteAsync("/1.0/applications/nothing/amd64");

        Assert.Equal(HttpStatusCode.OK, deleteVersion.StatusCode);
        Assert.Equal(4, (await ReadAsync(deleteVersion, ProtocolJsonContext.Default.DeletionRecord)).Generation);
        Assert.Equal(HttpStatusCode.OK, deleteApplication.StatusCode);
        await AssertProblem(again, HttpStatusCode.NotFound, ProblemTypes.VersionNotFound);
        await AssertProblem(unknown, HttpStatusCode.NotFound, ProblemTypes.ApplicationNotFound);
        using var all = await registry.Http.GetAsync("/1.0/deletions?since=0");
        var deletions = await ReadAsync(all, ProtocolJsonContext.Default.DeletionListing);
        Assert.Equal(5, deletions.Generation);
        Assert.Equal([(4L, "game", (int?)0), (5L, "maps", null)], deletions.Deletions.Select(d => (d.Generation, d.Name, d.Version)));
        using var since = await registry.Http.GetAsync("/1.0/deletions?since=4");
        Assert.Equal(["maps"], (await ReadAsync(since, ProtocolJsonContext.Default.DeletionListing)).Deletions.Select(d => d.Name));
        using var bad = await registry.Http.GetAsync("/1.0/deletions?since=-1");
        await AssertProblem(bad, HttpStatusCode.BadRequest, ProblemTypes.InvalidRequest);
        Assert.Equal(["game/amd64"], await NamesAsync(registry.Http, "/1.0/applications"));
    }

    [Fact]
    public async Task A_no_change_poll_of_10000_versions_is_a_small_304()
    {
        await using var registry = await StorageRegistry.StartAsync(output);
        var blob = await StoreAsync(registry, 100);
        await SeedAsync(registry, blob, 10_000);
        var fullWatch = System.Diagnostics.Stopwatch.StartNew();
        using var full = await registry.Http.GetAsync("/1.0/applications");
        var body = await full.Content.ReadAsByteArrayAsync();
        fullWatch.Stop();
        var listing = await ReadAsync(full, ProtocolJsonContext.Default.ApplicationListing);
        Assert.Equal(10_000, listing.Applications.Sum(a => a.Versions.Count));
        var etag = full.Headers.ETag!.Tag;

        var watch = System.Diagnostics.Stopwatch.StartNew();
        using var poll = await GetAsync(registry.Http, "/1.0/applications", etag);
        watch.Stop();

        Assert.Equal(HttpStatusCode.NotModified, poll.StatusCode);
        output.WriteLine($"304 for 10,000 versions in {watch.Elapsed.TotalMilliseconds:0.0} ms; the full listing: {body.Length} bytes in {fullWatch.Elapsed.TotalMilliseconds:0} ms");
    }

    private static async Task SeedAsync(StorageRegistry registry, TestBlob blob, int versions)
    {
        // 100 applications x 100 versions, written straight into the database in one transaction: the test is about
        // reading, and 10,000 HTTP round trips would only measure the test itself.
        await using var database = await registry.Server.Database.OpenAsync();
        await using var transaction = await database.BeginTransactionAsync();
        await using var command = database.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = """
            INSERT INTO applications (name, architecture, owner, created_at) VALUES (@name, 'amd64', @owner, '2026-01-01T00:00:00.000Z')
                ON CONFLICT (name, architecture) DO NOTHING;
            INSERT INTO versions (name, architecture, version, digest, size, manifest, tags, created_at, publisher, generation)
                VALUES (@name, 'amd64', @version, @digest, 100, '{"name":"x"}', '["beta"]', '2026-01-01T00:00:00.000Z', @owner, 1);
            """;
        var owner = TestSupport.TestCertificates.FingerprintOf(registry.PublisherCertificate);
        for (var i = 0; i < versions; i++)
        {
            command.Parameters.Clear();
            TrustRows.Add(command, "@name", $"app{i / 100}");
            TrustRows.Add(command, "@version", i % 100);
            TrustRows.Add(command, "@digest", blob.Digest.ToString());
            TrustRows.Add(command, "@owner", owner);
            await command.ExecuteNonQueryAsync();
        }

        await using var bump = database.CreateCommand();
        bump.Transaction = transaction;
        bump.CommandText = "UPDATE registry_state SET generation = 1";
        await bump.ExecuteNonQueryAsync();
        await transaction.CommitAsync();
    }

    private static async Task<HttpResponseMessage> GetAsync(HttpClient http, string path, string etag)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.IfNoneMatch.Add(new EntityTagHeaderValue(etag));
        return await http.SendAsync(request);
    }

    private static async Task<List<string>> NamesAsync(HttpClient http, string path)
    {
        using var response = await http.GetAsync(path);
        return (await ReadAsync(response, ProtocolJsonContext.Default.ApplicationListing)).Applications.Select(a => $"{a.Name}/{a.Architecture}").ToList();
    }
}
