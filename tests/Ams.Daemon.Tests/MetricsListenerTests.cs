using System.Net;
using Aar.Hosting;
using Ams.Daemon.Hosting;
using TestSupport;
using Xunit.Abstractions;

namespace Ams.Daemon.Tests;

/// <summary><c>ams serve --metrics-listen</c>: the daemon kit's listener, with the AMS's own readiness check.</summary>
public sealed class MetricsListenerTests(ITestOutputHelper output)
{
    [Fact]
    public async Task The_listener_serves_metrics_liveness_and_readiness_and_nothing_else()
    {
        await using var daemon = await AmsTestDaemon.StartAsync(output, metrics: true);
        using var http = new HttpClient { BaseAddress = daemon.Host.MetricsAddress };

        using var alive = await http.GetAsync("/healthz");
        Assert.Equal("Healthy\n", await alive.Content.ReadAsStringAsync());
        using var ready = await http.GetAsync("/readyz");
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        Assert.Equal($"Healthy\ndatabase: Healthy ({Path.Combine(daemon.DataDirectory, "ams.db")})\n", await ready.Content.ReadAsStringAsync());
        var scrape = await MetricsScrape.GetAsync(daemon.Host.MetricsAddress!);
        Assert.Equal(0, scrape.Value("ams_sync_passes_total", ("result", "failed")));
        Assert.Empty(scrape.Find("ams_sync_last_success_timestamp_seconds"));
        using var other = await http.GetAsync("/1.0");
        Assert.Equal(HttpStatusCode.NotFound, other.StatusCode);
    }

    [Fact]
    public async Task Without_the_option_there_is_no_listener()
    {
        await using var daemon = await AmsTestDaemon.StartAsync(output);

        Assert.Null(daemon.Host.MetricsAddress);
    }

    [Fact]
    public async Task A_busy_metrics_port_stops_the_start_with_one_sentence_and_leaves_nothing_listening()
    {
        using var busy = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        busy.Start();
        using var directory = new TempDirectory("ams");
        var options = new AmsOptions { DataDirectory = directory.Combine("data"), MetricsListen = busy.LocalEndpoint.ToString() };

        var refused = await Assert.ThrowsAsync<StartupException>(() => AmsHost.StartAsync(options));

        Assert.StartsWith($"Cannot listen on {busy.LocalEndpoint} for metrics", refused.Message, StringComparison.Ordinal);
        // The admin socket Kestrel had bound before the metrics port failed is closed again.
        using var probe = new System.Net.Sockets.Socket(System.Net.Sockets.AddressFamily.Unix, System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Unspecified);
        var connect = Record.Exception(() => probe.Connect(new System.Net.Sockets.UnixDomainSocketEndPoint(Path.Combine(options.DataDirectory, "unix.socket"))));
        Assert.IsType<System.Net.Sockets.SocketException>(connect);
        // And the data directory is free for the next start.
        await using var again = await AmsHost.StartAsync(options with { MetricsListen = null });
    }

    [Fact]
    public async Task A_bad_address_is_refused_with_one_sentence()
    {
        var options = new AmsOptions { DataDirectory = "/tmp/ams-metrics-test", MetricsListen = "*:9101" };

        var error = await Assert.ThrowsAsync<StartupException>(() => AmsHost.StartAsync(options));

        Assert.Equal("--metrics-listen '*:9101' has an invalid address '*': use an IP address (IPv6 in brackets, e.g. [::1]:9100), not a host name.", error.Message);
    }
}
