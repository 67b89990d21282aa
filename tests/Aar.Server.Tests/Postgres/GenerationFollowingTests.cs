using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using Aar.Protocol.Registry;
using Aar.Server.Data;
using Aar.Server.Trust;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using TestSupport;
using Xunit.Abstractions;

namespace Aar.Server.Tests.Postgres;

/// <summary>
/// Polling without the database: each node of a shared PostgreSQL answers a poll's 304 from the generation it keeps
/// in memory, follows other nodes' writes through the change listener, and never answers from a value older than
/// <see cref="GenerationCache.MaxStaleness"/>, even when a notification is lost.
/// </summary>
public sealed class GenerationFollowingTests(ITestOutputHelper output)
{
    [PostgresFact]
    public async Task A_publish_on_node_A_is_seen_by_a_poll_on_node_B_within_the_staleness_bound()
    {
        await using var database = await TestDatabase.CreatePostgresAsync();
        await using var a = await RegistryTestServer.StartAsync(output, database: database);
        await using var b = await RegistryTestServer.StartAsync(output, database: database);
        using var publisher = TestCertificates.Client("publisher");
        await a.TrustAsync(publisher, TrustRole.Publisher);
        using var onA = a.Client(publisher);
        using var onB = b.Client(publisher);
        await WaitUntilAnsweringFromMemoryAsync(b, onB);

        await PublishAsync(onA, "game", 0);
        var published = Stopwatch.StartNew();
        var seen = await PollUntilChangedAsync(onB, "\"0\"", GenerationCache.MaxStaleness * 2);
        output.WriteLine($"B saw generation {seen} {published.Elapsed.TotalMilliseconds:0} ms after the publish was answered");
        Assert.Equal(1, seen);
        Assert.True(published.Elapsed < GenerationCache.MaxStaleness, $"seen after {published.Elapsed}");

        // The writer's own node sees its write at once (no wait for its own announcement).
        await PublishAsync(onA, "game", 1);
        using var onAAfter = await PollAsync(onA, "\"1\"");
        Assert.Equal(HttpStatusCode.OK, onAAfter.StatusCode);
    }

    [PostgresFact]
    public async Task A_node_that_misses_the_notification_still_sees_the_publish_within_the_bound()
    {
        await using var database = await TestDatabase.CreatePostgresAsync();
        using var proxy = database.StartProxy();
        await using var a = await RegistryTestServer.StartAsync(output, database: database);
        await using var b = await RegistryTestServer.StartAsync(output, configure: o => o with { Database = database.ConnectionStringThrough(proxy) }, database: database);
        using var publisher = TestCertificates.Client("publisher");
        await a.TrustAsync(publisher, TrustRole.Publisher);
        using var onA = a.Client(publisher);
        using var onB = b.Client(publisher);
        await WaitUntilAnsweringFromMemoryAsync(b, onB);

        // B's listener connection goes silent (no error, nothing delivered); its pool still works.
        Assert.Equal(1, proxy.BlackHole(await ListenerPortsAsync(database)));
        var published = Stopwatch.StartNew();
        await PublishAsync(onA, "game", 0);
        using (var early = await PollAsync(onB, "\"0\""))
        {
            // Usually 304: B answers from memory until the bound runs out (it cannot know it missed a notification).
            output.WriteLine($"B right after the publish: {(int)early.StatusCode}");
        }

        var bound = GenerationCache.MaxStaleness + TimeSpan.FromMilliseconds(300);
        if (published.Elapsed < bound)
        {
            await Task.Delay(bound - published.Elapsed);
        }

        using var late = await PollAsync(onB, "\"0\"");
        output.WriteLine($"B {published.Elapsed.TotalSeconds:0.0} s after the publish: {(int)late.StatusCode}");
        Assert.Equal(HttpStatusCode.OK, late.StatusCode);
        Assert.Equal("1", late.Headers.GetValues(RegistryRoutes.GenerationHeader).Single());
    }

    [PostgresFact]
    public async Task A_304_on_a_shared_database_runs_no_query()
    {
        await using var database = await TestDatabase.CreatePostgresAsync();
        await using var a = await RegistryTestServer.StartAsync(output, database: database);
        await using var b = await RegistryTestServer.StartAsync(output, database: database);
        using var publisher = TestCertificates.Client("publisher");
        await a.TrustAsync(publisher, TrustRole.Publisher);
        using var onA = a.Client(publisher);
        using var onB = b.Client(publisher);
        await PublishAsync(onA, "game", 0);
        await WaitUntilAnsweringFromMemoryAsync(a, onA, "\"1\"");
        await WaitUntilAnsweringFromMemoryAsync(b, onB, "\"1\"");

        // Every command Npgsql runs in this process is traced, other test classes' databases included (they run in
        // parallel); keep this database's commands that read the generation.
        var name = database.Name!;
        var generationReads = new ConcurrentBag<string>();
        var commands = 0;
        using var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == "Npgsql",
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = activity =>
            {
                Interlocked.Increment(ref commands);
                var text = string.Join(' ', activity.TagObjects.Select(t => t.Value as string).Where(v => v is not null).Append(activity.DisplayName));
                if (text.Contains("registry_state", StringComparison.Ordinal) && text.Contains(name, StringComparison.Ordinal))
                {
                    generationReads.Add(text);
                }
            },
        };
        ActivitySource.AddActivityListener(listener);

        const int Polls = 200;
        var watch = Stopwatch.StartNew();
        for (var i = 0; i < Polls; i++)
        {
            using var response = await PollAsync(i % 2 == 0 ? onB : onA, "\"1\"");
            Assert.Equal(HttpStatusCode.NotModified, response.StatusCode);
        }

        output.WriteLine($"{Polls} polls in {watch.Elapsed.TotalMilliseconds:0} ms; {commands} Npgsql commands in that time (heartbeats included), {generationReads.Count} reading registry_state");

        // Past the staleness bound without a heartbeat back (a starved machine), one read per node is allowed; one
        // per poll (what a 304 cost before) is not.
        Assert.True(generationReads.Count <= 2 * (int)Math.Ceiling(watch.Elapsed / GenerationCache.MaxStaleness), string.Join('\n', generationReads));

        // The tracing sees the queries when they do happen: a full listing reads the generation.
        var before = generationReads.Count;
        using var full = await onB.Http.GetAsync("/1.0/applications");
        Assert.Equal(HttpStatusCode.OK, full.StatusCode);
        Assert.True(generationReads.Count > before, "the listener saw no generation read for a full listing");
    }

    private static async Task PublishAsync(MtlsClient client, string name, int version)
    {
        var blob = TestBlob.Random(100 + version);
        using (var content = new ByteArrayContent(blob.Bytes))
        {
            Assert.Equal(HttpStatusCode.Created, (await client.Http.PutAsync($"/1.0/blobs/{blob.Digest}", content)).StatusCode);
        }

        using var created = await ApplicationTests.CreateAsync(client.Http, name, "amd64", version, blob);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
    }

    private static async Task<HttpResponseMessage> PollAsync(MtlsClient client, string etag)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/1.0/applications");
        request.Headers.IfNoneMatch.Add(new EntityTagHeaderValue(etag));
        return await client.Http.SendAsync(request);
    }

    private static async Task<long> PollUntilChangedAsync(MtlsClient client, string etag, TimeSpan timeout)
    {
        var waited = Stopwatch.StartNew();
        while (true)
        {
            using var response = await PollAsync(client, etag);
            if (response.StatusCode == HttpStatusCode.OK)
            {
                return long.Parse(response.Headers.GetValues(RegistryRoutes.GenerationHeader).Single(), System.Globalization.CultureInfo.InvariantCulture);
            }

            Assert.Equal(HttpStatusCode.NotModified, response.StatusCode);
            Assert.True(waited.Elapsed < timeout, $"no change seen within {timeout}");
            await Task.Delay(20);
        }
    }

    /// <summary>Polls <paramref name="node"/> until its generation is loaded and followed (a 304 from memory).</summary>
    private static async Task WaitUntilAnsweringFromMemoryAsync(RegistryTestServer node, MtlsClient client, string etag = "\"0\"")
    {
        var cache = node.Host.Services.GetRequiredService<RegistryDatabase>().Generation;
        var waited = Stopwatch.StartNew();
        while (!cache.TryGetCurrent(out _))
        {
            Assert.True(waited.Elapsed < TimeSpan.FromSeconds(15), "the node never followed the generation");
            using var response = await PollAsync(client, etag);
            Assert.Equal(HttpStatusCode.NotModified, response.StatusCode);
            await Task.Delay(50);
        }
    }

    /// <summary>The server-side view (client_port) of both nodes' change listener connections.</summary>
    private static async Task<List<int>> ListenerPortsAsync(TestDatabase database)
    {
        await using var connection = new NpgsqlConnection(TestDatabase.AdminConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT client_port FROM pg_stat_activity WHERE datname = @name AND application_name = @application", connection);
        command.Parameters.AddWithValue("name", database.Name!);
        command.Parameters.AddWithValue("application", TrustListener.ApplicationName);
        var ports = new List<int>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            ports.Add(reader.GetInt32(0));
        }

        return ports;
    }
}
