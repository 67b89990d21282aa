using System.Net;
using System.Net.Http.Json;
using Aar.Protocol;
using Aar.Protocol.Enrolment;
using Aar.Protocol.Http;
using Aar.Protocol.Registry;
using Aar.Server.Enrolment;
using Aar.Server.Hosting;
using TestSupport;
using Xunit.Abstractions;
using static Aar.Server.Tests.StorageRegistry;
using static Aar.Server.Tests.TrustEnforcementTests;

namespace Aar.Server.Tests;

/// <summary>Fair use per caller over real mTLS: caps on a publisher's upload sessions and staged bytes, and the enrolment rate limit.</summary>
public sealed class FairUseTests(ITestOutputHelper output)
{
    [Fact]
    public async Task A_publisher_at_its_session_limit_gets_409_until_it_finishes_one_and_other_publishers_are_not_affected()
    {
        await using var registry = await StorageRegistry.StartAsync(output, o => o with { MaxUploadSessionsPerPublisher = 2 });
        using var other = await registry.AddCallerAsync("other-publisher", TrustRole.Publisher);
        var first = await UploadSessionTests.StartAsync(registry);
        await UploadSessionTests.StartAsync(registry);

        using var third = await registry.Http.PostAsync("/1.0/uploads", null);

        var problem = await AssertProblem(third, HttpStatusCode.Conflict, ProblemTypes.TooManyUploads);
        Assert.Equal("This publisher already has 2 upload sessions open, the most this registry allows (aar serve --max-upload-sessions); finish or cancel one (DELETE /1.0/uploads/<id>) before starting another. Sessions left idle are discarded after the upload expiry.", problem.Detail);
        Assert.Equal("application/problem+json", third.Content.Headers.ContentType?.MediaType);
        Assert.Equal(2L, await registry.SessionRowsAsync());
        using (var elsewhere = await other.Http.PostAsync("/1.0/uploads", null))
        {
            Assert.Equal(HttpStatusCode.Created, elsewhere.StatusCode);
        }

        Assert.Equal(HttpStatusCode.NoContent, (await registry.Http.DeleteAsync(first.Location)).StatusCode);
        using var again = await registry.Http.PostAsync("/1.0/uploads", null);
        Assert.Equal(HttpStatusCode.Created, again.StatusCode);
    }

    [Fact]
    public async Task Concurrent_starts_never_pass_the_session_limit()
    {
        await using var registry = await StorageRegistry.StartAsync(output, o => o with { MaxUploadSessionsPerPublisher = 3 });

        var responses = await Task.WhenAll(Enumerable.Range(0, 12).Select(_ => registry.Http.PostAsync("/1.0/uploads", null)));

        Assert.Equal(3, responses.Count(r => r.StatusCode == HttpStatusCode.Created));
        Assert.All(responses.Where(r => r.StatusCode != HttpStatusCode.Created), r => Assert.Equal(HttpStatusCode.Conflict, r.StatusCode));
        Assert.Equal(3L, await registry.SessionRowsAsync());
        foreach (var response in responses)
        {
            response.Dispose();
        }
    }

    [Fact]
    public async Task A_chunk_that_would_pass_the_staged_bytes_cap_is_refused_before_a_byte_is_stored()
    {
        await using var registry = await StorageRegistry.StartAsync(output, o => o with { MaxBlobBytes = 1000, MaxStagedBytesPerPublisher = 1500 });
        using var other = await registry.AddCallerAsync("other-publisher", TrustRole.Publisher);
        var blob = TestBlob.Random(1000);
        var full = await UploadSessionTests.StartAsync(registry);
        var second = await UploadSessionTests.StartAsync(registry);
        using (var chunk = await registry.Http.PatchAsync(full.Location, Chunk(blob.Bytes, 0)))
        {
            Assert.Equal(HttpStatusCode.Accepted, chunk.StatusCode);
        }

        using var refused = await registry.Http.PatchAsync(second.Location, Chunk(new byte[600], 0));

        var problem = await AssertProblem(refused, HttpStatusCode.Conflict, ProblemTypes.UploadQuotaExceeded);
        Assert.Equal("This publisher's open upload sessions hold 1000 bytes; 600 more would pass this registry's limit of 1500 bytes per publisher (aar serve --max-staged-bytes). Nothing was stored; finish or cancel other sessions, then send this chunk again from byte 0.", problem.Detail);
        Assert.Equal("0", refused.Headers.GetValues(RegistryRoutes.UploadOffsetHeader).Single());
        using (var status = await registry.Http.GetAsync(second.Location))
        {
            Assert.Equal(0, (await ReadAsync(status, ProtocolJsonContext.Default.UploadSession)).Offset);
        }

        // Up to the cap exactly is fine; another publisher has its own allowance.
        using (var fits = await registry.Http.PatchAsync(second.Location, Chunk(new byte[500], 0)))
        {
            Assert.Equal(HttpStatusCode.Accepted, fits.StatusCode);
        }

        using (var elsewhere = await other.Http.PostAsync("/1.0/uploads", null))
        {
            var session = await ReadAsync(elsewhere, ProtocolJsonContext.Default.UploadSession);
            using var chunk = await other.Http.PatchAsync(session.Location, Chunk(new byte[1000], 0));
            Assert.Equal(HttpStatusCode.Accepted, chunk.StatusCode);
        }

        // Finishing a session frees what it held.
        using (var finish = await registry.Http.PutAsync($"{full.Location}?digest={blob.Digest}", null))
        {
            Assert.Equal(HttpStatusCode.Created, finish.StatusCode);
        }

        using var after = await registry.Http.PatchAsync(second.Location, Chunk(new byte[500], 500));
        Assert.Equal(HttpStatusCode.Accepted, after.StatusCode);
    }

    [Fact]
    public async Task Enrolment_attempts_past_the_limit_get_429_with_retry_after_and_are_not_checked()
    {
        await using var server = await RegistryTestServer.StartAsync(output, configure: o => o with { EnrolAttempts = 3, EnrolWindow = TimeSpan.FromHours(1) });
        using var admin = server.Admin();
        var created = await admin.CreateTokenAsync(new CreateTokenRequest());
        Assert.True(JoinToken.TryDecode(created.Value!.Token, out var token, out var error), error);
        using var guesser = TestCertificates.Client("guesser");
        using var other = TestCertificates.Client("same-address");
        using var trusted = TestCertificates.Client("trusted-reader");
        await server.TrustAsync(trusted);
        using var fromGuesser = server.Client(guesser);
        for (var i = 0; i < 3; i++)
        {
            using var guess = await fromGuesser.Http.PostAsJsonAsync("/1.0/enrol", new EnrolRequest { Secret = $"guess-{i}" }, ProtocolJsonContext.Default.EnrolRequest);
            await AssertProblem(guess, HttpStatusCode.Forbidden, ProblemTypes.InvalidJoinToken);
        }

        // The right secret, from another certificate on the same address: the address is out of attempts.
        using var fromOther = server.Client(other);
        using var limited = await fromOther.Http.PostAsJsonAsync("/1.0/enrol", new EnrolRequest { Secret = token!.Secret }, ProtocolJsonContext.Default.EnrolRequest);

        var problem = await AssertProblem(limited, (HttpStatusCode)429, ProblemTypes.TooManyRequests);
        Assert.Equal("application/problem+json", limited.Content.Headers.ContentType?.MediaType);
        var retryAfter = limited.Headers.RetryAfter?.Delta;
        Assert.NotNull(retryAfter);
        Assert.InRange(retryAfter.Value, TimeSpan.FromSeconds(1), TimeSpan.FromHours(1));
        Assert.Equal($"This address made more than 3 enrolment attempts within 01:00:00 (aar serve --enrol-attempts, --enrol-window); nothing was checked or changed. Try again in {(long)retryAfter.Value.TotalSeconds} s.", problem.Detail);
        Assert.Single((await admin.ListTokensAsync()).Value!);
        Assert.Equal([TestCertificates.FingerprintOf(trusted)], (await admin.ListTrustedAsync()).Value!.Select(e => e.Fingerprint));

        // Other routes are not limited.
        using var reader = server.Client(trusted);
        Assert.Equal(HttpStatusCode.OK, (await reader.Http.GetAsync("/1.0")).StatusCode);
    }

    [Theory]
    [InlineData("192.0.2.7", "192.0.2.7")]
    [InlineData("::ffff:192.0.2.7", "192.0.2.7")]
    [InlineData("2001:db8:1:2:aaaa:bbbb:cccc:dddd", "2001:db8:1:2::/64")]
    [InlineData("2001:db8:1:2::1", "2001:db8:1:2::/64")]
    [InlineData("2001:db8:1:3::1", "2001:db8:1:3::/64")]
    public void Enrolment_attempts_are_counted_per_ipv4_address_and_per_ipv6_64(string address, string source)
    {
        Assert.Equal(source, EnrolmentRateLimit.SourceOf(IPAddress.Parse(address)));
    }

    [Theory]
    [InlineData(0, null, 10, 60, "--max-upload-sessions '0' must be at least 1.")]
    [InlineData(16, 1000L, 10, 60, "--max-staged-bytes '1000' is less than --max-blob-size (10737418240 bytes): the largest blob could never be uploaded; give at least that much.")]
    [InlineData(16, null, 0, 60, "--enrol-attempts '0' must be at least 1.")]
    [InlineData(16, null, 10, 0, "--enrol-window '00:00:00' must be at least one second.")]
    public void Fair_use_options_are_validated(int sessions, long? staged, int attempts, int windowSeconds, string expected)
    {
        var options = new ServeOptions
        {
            DataDirectory = "/var/lib/aar",
            MaxUploadSessionsPerPublisher = sessions,
            MaxStagedBytesPerPublisher = staged,
            EnrolAttempts = attempts,
            EnrolWindow = TimeSpan.FromSeconds(windowSeconds),
        };

        Assert.Equal([expected], ServeOptionsValidator.Validate(options));
    }

    [Fact]
    public void The_staged_bytes_cap_defaults_to_twice_the_largest_blob()
    {
        Assert.Equal(20L * 1024 * 1024 * 1024, new ServeOptions { DataDirectory = "/d" }.StagedBytesCap);
        Assert.Equal(4000, new ServeOptions { DataDirectory = "/d", MaxBlobBytes = 2000 }.StagedBytesCap);
    }
}
