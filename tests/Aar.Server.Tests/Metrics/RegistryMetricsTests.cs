using System.Net;
using Aar.Protocol.Registry;
using Aar.Server.Trust;
using Microsoft.Extensions.DependencyInjection;
using TestSupport;
using Xunit.Abstractions;
using static Aar.Server.Tests.ApplicationTests;
using static Aar.Server.Tests.Metrics.MetricsListenerTests;

namespace Aar.Server.Tests.Metrics;

/// <summary>Each family of registry metrics, moved by real requests over mTLS and read back from a real scrape.</summary>
public sealed class RegistryMetricsTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Requests_are_counted_by_listener_route_template_method_and_status()
    {
        await using var registry = await StorageRegistry.StartAsync(output, WithMetrics());
        var before = await ScrapeAsync(registry);
        for (var i = 0; i < 3; i++)
        {
            (await registry.Http.GetAsync("/1.0")).Dispose();
        }

        (await registry.Http.GetAsync("/1.0/applications/no-such-app/amd64")).Dispose();
        (await registry.Http.SendAsync(new HttpRequestMessage(new HttpMethod("BREW"), "/1.0"))).Dispose();
        using (var admin = registry.Server.Admin())
        {
            Assert.True((await admin.GetStatusAsync()).Succeeded);
        }

        var after = await ScrapeAsync(registry);
        Assert.Equal(3, Moved(before, after, "aar_http_requests_total", ("listener", "tls"), ("route", "/1.0/"), ("method", "GET"), ("status", "200")));
        Assert.Equal(1, Moved(before, after, "aar_http_requests_total", ("listener", "tls"), ("route", "/1.0/applications/{name}/{architecture}"), ("method", "GET"), ("status", "404")));
        Assert.Equal(1, Moved(before, after, "aar_http_requests_total", ("listener", "tls"), ("method", "OTHER")));
        Assert.Equal(1, Moved(before, after, "aar_http_requests_total", ("listener", "admin"), ("method", "GET"), ("status", "200")));
        Assert.DoesNotContain(after.Samples, s => s.Labels.Values.Any(v => v.Contains("no-such-app", StringComparison.Ordinal) || v == "BREW"));
    }

    [Fact]
    public async Task Bytes_received_and_sent_count_what_crossed_the_mtls_port()
    {
        await using var registry = await StorageRegistry.StartAsync(output, WithMetrics());
        var before = await ScrapeAsync(registry);
        var blob = await StoreAsync(registry, 300_000);
        var afterUpload = await ScrapeAsync(registry);
        using (var download = await registry.Http.GetAsync($"/1.0/blobs/{blob.Digest}"))
        {
            Assert.Equal(blob.Bytes, await download.Content.ReadAsByteArrayAsync());
        }

        var afterDownload = await ScrapeAsync(registry);
        var received = Moved(before, afterUpload, "aar_http_received_bytes_total");
        var sent = Moved(afterUpload, afterDownload, "aar_http_sent_bytes_total");
        output.WriteLine($"upload received {received} bytes, download sent {sent} bytes");
        // The body plus request or response headers (a few hundred bytes), no more.
        Assert.InRange(received, 300_000, 302_000);
        Assert.InRange(sent, 300_000, 302_000);
    }

    [Fact]
    public async Task Trust_decisions_are_counted_by_outcome()
    {
        await using var registry = await StorageRegistry.StartAsync(output, WithMetrics());
        using var reader = await registry.AddCallerAsync("reader", TrustRole.Client);
        using var strangerCertificate = TestCertificates.Client("stranger");
        using var stranger = registry.Server.Client(strangerCertificate);
        using var revokedCertificate = TestCertificates.Client("revoked");
        await registry.Server.TrustAsync(revokedCertificate);
        using (var admin = registry.Server.Admin())
        {
            Assert.True((await admin.RevokeAsync(TestCertificates.FingerprintOf(revokedCertificate))).Succeeded);
        }

        using var revoked = registry.Server.Client(revokedCertificate);
        var before = await ScrapeAsync(registry);

        (await reader.Http.GetAsync("/1.0")).Dispose();
        (await stranger.Http.GetAsync("/1.0")).Dispose();
        (await stranger.Http.GetAsync("/1.0/applications")).Dispose();
        (await revoked.Http.GetAsync("/1.0")).Dispose();
        using var refused = await CreateAsync(reader.Http, "game", "amd64", 1, TestBlob.Random(10));
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);

        var after = await ScrapeAsync(registry);
        Assert.Equal(1, Moved(before, after, "aar_trust_decisions_total", ("outcome", "allowed")));
        Assert.Equal(2, Moved(before, after, "aar_trust_decisions_total", ("outcome", "untrusted")));
        Assert.Equal(1, Moved(before, after, "aar_trust_decisions_total", ("outcome", "revoked")));
        Assert.Equal(1, Moved(before, after, "aar_trust_decisions_total", ("outcome", "role_refused")));
        Assert.Equal(0, after.Value("aar_trust_decisions_total", ("outcome", "expired")));
        Assert.Equal(2, after.Value("aar_trusted_certificates"));
        Assert.Equal(1, after.Value("aar_revoked_certificates"));
    }

    [Fact]
    public async Task Each_client_shows_when_it_was_last_seen_and_which_generation_it_fetched_without_key_material()
    {
        await using var registry = await StorageRegistry.StartAsync(output, WithMetrics());
        using var amsCertificate = TestCertificates.Client("ams-kitchen");
        await registry.Server.TrustAsync(amsCertificate);
        using var ams = registry.Server.Client(amsCertificate);
        var fingerprint = TestCertificates.FingerprintOf(amsCertificate);
        var label = fingerprint[..16];
        var blob = await StoreAsync(registry, 100);
        (await CreateAsync(registry.Http, "game", "amd64", 1, blob)).Dispose();

        var started = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        using (var listing = await ams.Http.GetAsync("/1.0/applications"))
        {
            Assert.Equal(HttpStatusCode.OK, listing.StatusCode);
        }

        var first = await ScrapeAsync(registry);
        var generation = first.Value("aar_generation");
        Assert.True(generation >= 1);
        Assert.Equal(generation, first.Value("aar_client_fetched_generation", ("client", "ams-kitchen"), ("fingerprint", label)));
        Assert.InRange(first.Value("aar_client_last_seen_timestamp_seconds", ("client", "ams-kitchen"), ("fingerprint", label)), started - 1, started + 60);

        // A publish moves the registry ahead: the client is behind until it fetches again (a 304 counts as caught up).
        (await CreateAsync(registry.Http, "game", "amd64", 2, blob)).Dispose();
        var behind = await ScrapeAsync(registry);
        Assert.Equal(generation + 1, behind.Value("aar_generation"));
        Assert.Equal(generation, behind.Value("aar_client_fetched_generation", ("client", "ams-kitchen")));
        using (var poll = new HttpRequestMessage(HttpMethod.Get, "/1.0/applications"))
        {
            poll.Headers.TryAddWithoutValidation("If-None-Match", $"\"{generation + 1}\"");
            using var notModified = await ams.Http.SendAsync(poll);
            Assert.Equal(HttpStatusCode.NotModified, notModified.StatusCode);
        }

        var caughtUp = await ScrapeAsync(registry);
        Assert.Equal(generation + 1, caughtUp.Value("aar_client_fetched_generation", ("client", "ams-kitchen")));
        Assert.DoesNotContain(fingerprint, caughtUp.Text, StringComparison.Ordinal);

        // A client no longer trusted is withdrawn from the per-client series (the exporter drops a withdrawn series
        // within 5 minutes, its expiry for observed instruments).
        using (var admin = registry.Server.Admin())
        {
            Assert.True((await admin.RemoveAsync(fingerprint)).Succeeded);
        }

        var activity = registry.Server.Host.Services.GetRequiredService<ClientActivity>();
        Assert.DoesNotContain(activity.ObserveLastSeen(), m => m.Tags.ToArray().Contains(new KeyValuePair<string, object?>("client", "ams-kitchen")));
        Assert.DoesNotContain(activity.ObserveGeneration(), m => m.Tags.ToArray().Contains(new KeyValuePair<string, object?>("client", "ams-kitchen")));
    }

    [Fact]
    public async Task Upload_sessions_and_staged_bytes_are_reported()
    {
        await using var registry = await StorageRegistry.StartAsync(output, WithMetrics());
        Assert.Equal(0, (await ScrapeAsync(registry)).Value("aar_upload_sessions"));
        using var created = await registry.Http.PostAsync("/1.0/uploads", null);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        using var chunk = await registry.Http.PatchAsync(created.Headers.Location, StorageRegistry.Chunk(new byte[5000], 0));
        Assert.True(chunk.IsSuccessStatusCode, $"chunk answered {(int)chunk.StatusCode}");

        var scrape = await ScrapeAsync(registry);
        Assert.Equal(1, scrape.Value("aar_upload_sessions"));
        Assert.Equal(5000, scrape.Value("aar_upload_staged_bytes"));
    }

    [Fact]
    public async Task Garbage_collection_and_scrub_runs_and_findings_are_counted()
    {
        await using var registry = await StorageRegistry.StartAsync(output, WithMetrics(o => o with { BlobGracePeriod = TimeSpan.FromSeconds(1) }));
        var kept = await StoreAsync(registry, 1000);
        var damaged = await StoreAsync(registry, 2000);
        (await CreateAsync(registry.Http, "game", "amd64", 1, kept)).Dispose();
        (await CreateAsync(registry.Http, "game", "amd64", 2, damaged)).Dispose();
        await StoreAsync(registry, 3000);

        // The collector runs every second here; the orphan goes once it is a second old.
        var collected = await WaitForAsync(registry, s => s.Value("aar_gc_deleted_blobs_total") == 1);
        Assert.Equal(3000, collected.Value("aar_gc_deleted_bytes_total"));
        Assert.True(collected.Value("aar_collection_runs_total", ("task", "gc"), ("result", "ok")) >= 1);
        Assert.Equal(0, collected.Value("aar_collection_runs_total", ("task", "gc"), ("result", "failed")));
        var stored = await WaitForAsync(registry, s => s.Value("aar_stored_blobs") == 2);
        Assert.Equal(3000, stored.Value("aar_stored_bytes"));

        Assert.Equal(0, stored.Value("aar_scrub_findings_total", ("kind", "damaged")));
        await registry.OverwriteStoredAsync(damaged, new byte[2000]);
        using (var admin = registry.Server.Admin())
        {
            Assert.True((await admin.ScrubAsync()).Succeeded);
        }

        var scrubbed = await ScrapeAsync(registry);
        Assert.Equal(1, scrubbed.Value("aar_collection_runs_total", ("task", "scrub"), ("result", "ok")));
        Assert.Equal(2, scrubbed.Value("aar_scrub_checked_blobs_total"));
        Assert.Equal(3000, scrubbed.Value("aar_scrub_checked_bytes_total"));
        Assert.Equal(1, scrubbed.Value("aar_scrub_findings_total", ("kind", "damaged")));
        Assert.Equal(0, scrubbed.Value("aar_scrub_findings_total", ("kind", "missing")));
    }

    [Fact]
    public async Task Database_round_trips_are_measured()
    {
        await using var registry = await StorageRegistry.StartAsync(output, WithMetrics());
        var first = await ScrapeAsync(registry);
        var second = await ScrapeAsync(registry);

        Assert.Equal(1, Moved(first, second, "aar_database_round_trip_seconds_count"));
        Assert.True(second.Value("aar_database_round_trip_seconds_sum") > 0);
    }

    [Fact]
    public async Task Two_registries_in_one_process_report_only_their_own_numbers()
    {
        await using var one = await StorageRegistry.StartAsync(output, WithMetrics());
        await using var two = await StorageRegistry.StartAsync(output, WithMetrics());
        (await one.Http.GetAsync("/1.0")).Dispose();

        var ofTwo = await ScrapeAsync(two);

        Assert.Empty(ofTwo.Find("aar_http_requests_total", ("route", "/1.0/")));
        Assert.Equal(1, ofTwo.Value("aar_trusted_certificates"));
    }

    internal static Task<MetricsScrape> ScrapeAsync(StorageRegistry registry) =>
        MetricsScrape.GetAsync(registry.Server.Host.MetricsAddress!);

    internal static double Moved(MetricsScrape before, MetricsScrape after, string name, params (string Name, string Value)[] labels) =>
        after.ValueOrZero(name, labels) - before.ValueOrZero(name, labels);

    private static async Task<MetricsScrape> WaitForAsync(StorageRegistry registry, Func<MetricsScrape, bool> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(15);
        while (true)
        {
            var scrape = await ScrapeAsync(registry);
            if (condition(scrape) || DateTime.UtcNow > deadline)
            {
                Assert.True(condition(scrape), $"the metrics did not get there:\n{scrape.Text}");
                return scrape;
            }

            await Task.Delay(200);
        }
    }
}
