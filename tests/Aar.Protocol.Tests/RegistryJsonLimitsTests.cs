using System.Net;
using System.Text;
using System.Text.Json;
using Aar.Protocol.Http;
using Aar.Protocol.Management;
using Aar.Protocol.Registry;
using Xunit.Abstractions;

namespace Aar.Protocol.Tests;

/// <summary>The byte caps on registry answers: large enough for a big real registry, small enough to stop a flood early.</summary>
public sealed class RegistryJsonLimitsTests(ITestOutputHelper output)
{
    [Fact]
    public void A_listing_of_50000_versions_with_typical_manifests_fits_the_listing_cap_with_room()
    {
        var listing = Listing(applications: 5_000, versionsEach: 10);

        var bytes = JsonSerializer.SerializeToUtf8Bytes(listing, ProtocolJsonContext.Default.ApplicationListing);

        output.WriteLine($"50,000 versions: {bytes.Length} bytes ({bytes.Length / 1048576.0:F1} MiB)");
        // Measured 37.5 MB (35.8 MiB, about 750 bytes a version): the 64 MiB cap holds about 89,000 such versions.
        Assert.True(bytes.Length * 3 / 2 <= new RegistryClientOptions().MaxListingBytes, $"{bytes.Length} bytes");
    }

    [Fact]
    public async Task A_body_over_the_cap_is_refused_at_the_cap_not_at_its_end()
    {
        using var endless = new EndlessStream((byte)' ');
        var response = Response(new StreamContent(endless));

        var result = await ApiResponses.ReadAsync(response, ProtocolJsonContext.Default.ServerInfo, 1024 * 1024, TimeSpan.FromSeconds(30), CancellationToken.None);

        Assert.False(result.Succeeded);
        Assert.Equal("GET /1.0 answered 200 OK with a body larger than the 1048576 bytes accepted for it; reading stopped there.", result.Problem!.Detail);
        Assert.True(endless.Served < 2 * 1024 * 1024, $"{endless.Served} bytes read");
    }

    [Theory]
    [InlineData("{bad!", "with a body that is not the JSON this API sends ('b' is an invalid start of a property name.")]
    [InlineData("""{"server_version":"1","server_version":"2","api_version":"1.0","fingerprint":"f","role":"client","name":"n","certificate_expires_at":"2030-01-01T00:00:00Z"}""", "with a body that is not the JSON this API sends (Duplicate property 'server_version'")]
    [InlineData("""{"server_version":null,"api_version":"1.0","fingerprint":"f","role":"client","name":"n","certificate_expires_at":"2030-01-01T00:00:00Z"}""", "with a body that is not the JSON this API sends (")]
    [InlineData("""{"server_version":1,"api_version":"1.0","fingerprint":"f","role":"client","name":"n","certificate_expires_at":"2030-01-01T00:00:00Z"}""", "with a body that is not the JSON this API sends (")]
    [InlineData("null", "with an empty body (JSON null).")]
    public async Task Malformed_json_becomes_a_problem_that_says_so(string body, string expected)
    {
        var response = Response(new StringContent(body, Encoding.UTF8, "application/json"));

        var result = await ApiResponses.ReadAsync(response, RegistryReadJsonContext.Default.ServerInfo, 1024, TimeSpan.FromSeconds(30), CancellationToken.None);

        Assert.False(result.Succeeded);
        Assert.Contains(expected, result.Problem!.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_body_that_stops_arriving_is_cut_after_the_idle_timeout()
    {
        using var silent = new SilentStream();
        var response = Response(new StreamContent(silent));

        var error = await Assert.ThrowsAsync<IdleTimeoutException>(() =>
            ApiResponses.ReadAsync(response, ProtocolJsonContext.Default.ServerInfo, 1024, TimeSpan.FromSeconds(1), CancellationToken.None));

        Assert.Equal("GET /1.0: nothing arrived for 1 s with the connection still open; it was cut", error.Message);
    }

    private static HttpResponseMessage Response(HttpContent content) => new(HttpStatusCode.OK)
    {
        Content = content,
        RequestMessage = new HttpRequestMessage(HttpMethod.Get, "https://registry.test:3000/1.0"),
    };

    /// <summary>A manifest as an AMS publishes it (the fields a typical package sets), as JSON.</summary>
    private static JsonElement Manifest(int i) => JsonSerializer.SerializeToElement(new ManifestInfo
    {
        Name = $"application-{i:D5}",
        Version = "1.2.3",
        InstanceType = "a4.3",
        BootPackage = $"com.example.application{i:D5}",
        BootActivity = $"com.example.application{i:D5}.MainActivity",
        Tags = ["game", "demo", "region=eu"],
        RequiredPermissions = ["android.permission.INTERNET", "android.permission.ACCESS_NETWORK_STATE"],
        HasApk = true,
    }, ManagementJsonContext.Default.ManifestInfo);

    private static ApplicationListing Listing(int applications, int versionsEach)
    {
        var owner = new string('a', 64);
        return new ApplicationListing
        {
            Generation = applications * versionsEach,
            Applications = [.. Enumerable.Range(0, applications).Select(a => new ApplicationRecord
            {
                Name = $"application-{a:D5}",
                Architecture = "amd64",
                Owner = owner,
                CreatedAt = DateTimeOffset.UnixEpoch,
                Versions = [.. Enumerable.Range(1, versionsEach).Select(v => new ApplicationVersion
                {
                    Version = v,
                    Digest = "sha256:" + new string('0', 64),
                    Size = 123_456_789,
                    Manifest = Manifest(a),
                    Tags = ["game", "demo", "region=eu"],
                    CreatedAt = DateTimeOffset.UnixEpoch,
                    Publisher = owner,
                    Generation = a * versionsEach + v,
                })],
            })],
        };
    }

    /// <summary>Serves one byte value forever, counting what was read.</summary>
    private sealed class EndlessStream(byte value) : MemoryStream
    {
        public long Served { get; private set; }

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            buffer.Span.Fill(value);
            Served += buffer.Length;
            return ValueTask.FromResult(buffer.Length);
        }

        public override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer.AsMemory(offset, count)).AsTask().Result;
    }

    /// <summary>A body that never brings a byte (and never ends) until the read is cancelled.</summary>
    private sealed class SilentStream : MemoryStream
    {
        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            await Task.Delay(Timeout.Infinite, cancellationToken);
            return 0;
        }
    }
}
