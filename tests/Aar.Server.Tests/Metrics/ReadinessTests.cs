using System.Diagnostics;
using System.Net;
using Aar.Server.Tests.Postgres;
using TestSupport;
using Xunit.Abstractions;
using static Aar.Server.Tests.Metrics.MetricsListenerTests;

namespace Aar.Server.Tests.Metrics;

/// <summary>
/// <c>/readyz</c> answers 503, naming the missing dependency, while the node cannot serve, and 200 again once it can;
/// <c>/healthz</c> stays 200 throughout (the process is alive; restarting it would not bring the database back).
/// </summary>
public sealed class ReadinessTests(ITestOutputHelper output)
{
    [Fact]
    public async Task A_missing_blobs_directory_makes_the_node_not_ready_until_it_is_back()
    {
        await using var registry = await StorageRegistry.StartAsync(output, WithMetrics());
        if (registry.S3 is not null)
        {
            return; // The directory check is the file store's; S3 reachability is covered by the S3 tests' store.
        }

        using var http = new HttpClient { BaseAddress = registry.Server.Host.MetricsAddress };
        Directory.Move(registry.BlobsDirectory, registry.BlobsDirectory + ".away");

        using (var notReady = await http.GetAsync("/readyz"))
        {
            var body = await notReady.Content.ReadAsStringAsync();
            Assert.Equal(HttpStatusCode.ServiceUnavailable, notReady.StatusCode);
            Assert.StartsWith("Unhealthy\n", body, StringComparison.Ordinal);
            Assert.Contains($"\nblob-store: Unhealthy (the blobs directory {registry.BlobsDirectory} is missing)\n", body, StringComparison.Ordinal);
            Assert.Contains("\ndatabase: Healthy", body, StringComparison.Ordinal);
        }

        using (var alive = await http.GetAsync("/healthz"))
        {
            Assert.Equal(HttpStatusCode.OK, alive.StatusCode);
        }

        Directory.Move(registry.BlobsDirectory + ".away", registry.BlobsDirectory);
        using var ready = await http.GetAsync("/readyz");
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
    }

    [PostgresFact]
    public async Task A_node_whose_database_is_gone_is_not_ready_within_the_check_timeout()
    {
        await using var database = await TestDatabase.CreatePostgresAsync();
        using var proxy = database.StartProxy();
        await using var server = await RegistryTestServer.StartAsync(output, configure: WithMetrics(o => o with { Database = database.ConnectionStringThrough(proxy) }), database: database);
        using var http = new HttpClient { BaseAddress = server.Host.MetricsAddress };
        using (var ready = await http.GetAsync("/readyz"))
        {
            Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        }

        // Every connection goes silent (a half-open network), and no new one gets through: the check must not hang.
        proxy.BlackHoleAll();
        proxy.Stop();
        var asked = Stopwatch.StartNew();
        using (var notReady = await http.GetAsync("/readyz"))
        {
            var body = await notReady.Content.ReadAsStringAsync();
            output.WriteLine($"{(int)notReady.StatusCode} after {asked.Elapsed.TotalSeconds:0.0} s:\n{body}");
            Assert.Equal(HttpStatusCode.ServiceUnavailable, notReady.StatusCode);
            Assert.Contains("\ndatabase: Unhealthy", body, StringComparison.Ordinal);
            Assert.DoesNotContain("Password", body, StringComparison.OrdinalIgnoreCase);
            Assert.True(asked.Elapsed < TimeSpan.FromSeconds(5), "the readiness check is bounded");
        }

        // Scrapes keep working while the database is gone (the refresh is bounded too).
        var scrape = await MetricsScrape.GetAsync(server.Host.MetricsAddress!);
        Assert.NotEmpty(scrape.Find("aar_trusted_certificates"));

        proxy.Start();
        var waited = Stopwatch.StartNew();
        HttpStatusCode status;
        do
        {
            await Task.Delay(200);
            using var again = await http.GetAsync("/readyz");
            status = again.StatusCode;
        }
        while (status != HttpStatusCode.OK && waited.Elapsed < TimeSpan.FromSeconds(15));

        Assert.Equal(HttpStatusCode.OK, status);
    }
}
