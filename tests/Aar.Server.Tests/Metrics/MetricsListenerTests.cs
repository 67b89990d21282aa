using System.Net;
using Aar.Hosting;
using Aar.Protocol.Registry;
using Aar.Server.Hosting;
using TestSupport;
using Xunit.Abstractions;

namespace Aar.Server.Tests.Metrics;

/// <summary>
/// <c>--metrics-listen</c>: a plain-HTTP listener with <c>/metrics</c>, <c>/healthz</c> and <c>/readyz</c> and nothing
/// else, off by default; the mTLS port and the admin socket never serve those paths.
/// </summary>
public sealed class MetricsListenerTests(ITestOutputHelper output)
{
    internal static Func<ServeOptions, ServeOptions> WithMetrics(Func<ServeOptions, ServeOptions>? more = null) =>
        o => (more?.Invoke(o) ?? o) with { MetricsListen = "127.0.0.1:0" };

    [Fact]
    public async Task The_listener_serves_metrics_liveness_and_readiness_and_nothing_else()
    {
        await using var server = await RegistryTestServer.StartAsync(output, configure: WithMetrics());
        var address = server.Host.MetricsAddress!;
        Assert.Equal("http", address.Scheme);
        using var http = new HttpClient { BaseAddress = address };

        using var alive = await http.GetAsync("/healthz");
        Assert.Equal(HttpStatusCode.OK, alive.StatusCode);
        Assert.Equal("Healthy\n", await alive.Content.ReadAsStringAsync());

        using var ready = await http.GetAsync("/readyz");
        var readiness = await ready.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        Assert.StartsWith("Healthy\n", readiness, StringComparison.Ordinal);
        Assert.Contains("\nblob-store: Healthy", readiness, StringComparison.Ordinal);
        Assert.Contains("\ndatabase: Healthy", readiness, StringComparison.Ordinal);
        Assert.Contains("\ntrust: Healthy", readiness, StringComparison.Ordinal);

        using var metrics = await http.GetAsync("/metrics");
        Assert.Equal(HttpStatusCode.OK, metrics.StatusCode);
        Assert.StartsWith("text/plain", metrics.Content.Headers.ContentType!.MediaType, StringComparison.Ordinal);
        var scrape = MetricsScrape.Parse(await metrics.Content.ReadAsStringAsync());
        Assert.Equal(0, scrape.Value("aar_trusted_certificates"));

        foreach (var path in new[] { "/", "/metrics/", "/metrics/x", "/1.0", "/admin/1.0/status", "/healthz/x", "/readyz2" })
        {
            using var other = await http.GetAsync(path);
            Assert.True(other.StatusCode == HttpStatusCode.NotFound, $"{path} answered {(int)other.StatusCode}");
        }
    }

    [Fact]
    public async Task The_mtls_port_and_the_admin_socket_do_not_serve_metrics_or_health()
    {
        await using var server = await RegistryTestServer.StartAsync(output, configure: WithMetrics());
        using var certificate = TestCertificates.Client("curious-client");
        await server.TrustAsync(certificate, TrustRole.Publisher);
        using var client = server.Client(certificate);
        using var admin = new HttpClient(new SocketsHttpHandler
        {
            ConnectCallback = async (_, cancellationToken) =>
            {
                var socket = new System.Net.Sockets.Socket(System.Net.Sockets.AddressFamily.Unix, System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Unspecified);
                await socket.ConnectAsync(new System.Net.Sockets.UnixDomainSocketEndPoint(server.Host.SocketPath), cancellationToken);
                return new System.Net.Sockets.NetworkStream(socket, ownsSocket: true);
            },
        }) { BaseAddress = new Uri("http://localhost") };

        foreach (var path in new[] { "/metrics", "/healthz", "/readyz" })
        {
            using var overTls = await client.Http.GetAsync(path);
            Assert.Equal(HttpStatusCode.NotFound, overTls.StatusCode);
            using var overSocket = await admin.GetAsync(path);
            Assert.Equal(HttpStatusCode.NotFound, overSocket.StatusCode);
        }
    }

    [Fact]
    public async Task Without_the_option_there_is_no_listener()
    {
        await using var server = await RegistryTestServer.StartAsync(output);

        Assert.Null(server.Host.MetricsAddress);
    }

    [Theory]
    [InlineData("localhost:9100", "--metrics-listen 'localhost:9100' has an invalid address 'localhost': use an IP address (IPv6 in brackets, e.g. [::1]:9100), not a host name.")]
    [InlineData(":9100", "--metrics-listen ':9100' needs an address and a port, such as 127.0.0.1:9100 or [::1]:9100.")]
    [InlineData("127.0.0.1:http", "--metrics-listen '127.0.0.1:http' has an invalid port 'http': use a number from 0 to 65535.")]
    [InlineData("::1:9100", "--metrics-listen '::1:9100' has an invalid address '::1': use an IP address (IPv6 in brackets, e.g. [::1]:9100), not a host name.")]
    public void A_bad_address_is_refused_with_one_sentence(string address, string expected)
    {
        var errors = ServeOptionsValidator.Validate(new ServeOptions { DataDirectory = "/tmp/aar-metrics-test", MetricsListen = address });

        Assert.Equal(new[] { expected }, errors);
    }

    [Fact]
    public async Task An_address_in_use_names_the_metrics_option()
    {
        using var taken = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        taken.Start();
        var port = ((IPEndPoint)taken.LocalEndpoint).Port;

        var failure = await Assert.ThrowsAsync<StartupException>(() => RegistryTestServer.StartAsync(output, configure: o => o with { MetricsListen = $"127.0.0.1:{port}" }));

        Assert.StartsWith($"Cannot listen on 127.0.0.1:{port} for metrics (", failure.Message, StringComparison.Ordinal);
        Assert.EndsWith("); stop the other process or choose another address with --metrics-listen.", failure.Message, StringComparison.Ordinal);
    }
}
