using System.Net;
using Aar.Protocol;
using Aar.Protocol.Http;
using Aar.Protocol.Registry;
using Aar.Server.Trust;
using Microsoft.Extensions.DependencyInjection;
using TestSupport;
using Xunit.Abstractions;
using static Aar.Server.Tests.ApplicationTests;
using static Aar.Server.Tests.TrustEnforcementTests;

namespace Aar.Server.Tests.Postgres;

/// <summary>Two registry nodes (two <c>RegistryHost</c>s, two data directories) on one PostgreSQL database.</summary>
public sealed class TwoNodeTests(ITestOutputHelper output) : IAsyncLifetime
{
    private TestDatabase _database = null!;
    private RegistryTestServer _a = null!;
    private RegistryTestServer _b = null!;

    public async Task InitializeAsync()
    {
        if (!TestDatabase.UsePostgres)
        {
            return;
        }

        _database = await TestDatabase.CreatePostgresAsync();
        try
        {
            _a = await RegistryTestServer.StartAsync(output, database: _database);
            _b = await RegistryTestServer.StartAsync(output, database: _database);
            // Both listeners connected: A waits for its own notification to come back before answering, which is
            // what makes B's next request see the change.
            await WaitUntilFollowingAsync(_a);
            await WaitUntilFollowingAsync(_b);
        }
        catch
        {
            // xunit does not call DisposeAsync when InitializeAsync fails.
            await DisposeAsync();
            throw;
        }
    }

    [PostgresFact]
    public async Task A_trust_change_through_node_A_is_enforced_by_node_B_on_the_next_request_of_an_open_connection()
    {
        using var certificate = TestCertificates.Client("roaming");
        var fingerprint = TestCertificates.FingerprintOf(certificate);
        using var onB = _b.Client(certificate);
        await AssertProblem(await onB.Http.GetAsync("/1.0"), HttpStatusCode.Forbidden, ProblemTypes.UntrustedCertificate);

        await WaitUntilFollowingAsync(_b);
        await _a.TrustAsync(certificate);
        Assert.Equal(HttpStatusCode.OK, (await onB.Http.GetAsync("/1.0")).StatusCode);

        await WaitUntilFollowingAsync(_b);
        using (var admin = _a.Admin())
        {
            Assert.True((await admin.RevokeAsync(fingerprint)).Succeeded);
        }

        await AssertProblem(await onB.Http.GetAsync("/1.0"), HttpStatusCode.Forbidden, ProblemTypes.RevokedCertificate);
        Assert.Equal(1, onB.Connections);
        using (var admin = _b.Admin())
        {
            Assert.Equal(fingerprint, Assert.Single((await admin.ListRevokedAsync()).Value!).Fingerprint);
        }
    }

    [PostgresFact]
    public async Task A_removal_through_node_A_is_enforced_by_node_B_at_once()
    {
        using var certificate = TestCertificates.Client("removed");
        await _a.TrustAsync(certificate, TrustRole.Publisher);
        using var onB = _b.Client(certificate);
        Assert.Equal(HttpStatusCode.OK, (await onB.Http.GetAsync("/1.0")).StatusCode);

        await WaitUntilFollowingAsync(_b);
        using (var admin = _a.Admin())
        {
            Assert.True((await admin.RemoveAsync(TestCertificates.FingerprintOf(certificate))).Succeeded);
        }

        await AssertProblem(await onB.Http.GetAsync("/1.0"), HttpStatusCode.Forbidden, ProblemTypes.UntrustedCertificate);
        Assert.Equal(1, onB.Connections);
    }

    [PostgresFact]
    public async Task Concurrent_versions_through_both_nodes_get_unique_increasing_generations_and_one_owner_per_name()
    {
        using var first = TestCertificates.Client("publisher-a");
        using var second = TestCertificates.Client("publisher-b");
        await _a.TrustAsync(first, TrustRole.Publisher);
        await _a.TrustAsync(second, TrustRole.Publisher);
        using var onA = _a.Client(first);
        using var onB = _b.Client(second);
        // Each node has its own file-system blob store, so each publisher stores its blob on the node it talks to.
        var blob = TestBlob.Random(100);
        foreach (var http in new[] { onA.Http, onB.Http })
        {
            using var content = new ByteArrayContent(blob.Bytes);
            Assert.Equal(HttpStatusCode.Created, (await http.PutAsync($"/1.0/blobs/{blob.Digest}", content)).StatusCode);
        }

        const int Versions = 15;
        var results = await Task.WhenAll(PublishAsync(onA.Http, "left"), PublishAsync(onB.Http, "right"));

        var created = results.SelectMany(r => r).ToList();
        var generations = created.Select(v => v.Generation).ToList();
        Assert.Equal(generations.Count, generations.Distinct().Count());
        Assert.All(results, r => Assert.True(r.Select(v => v.Generation).SequenceEqual(r.Select(v => v.Generation).Order()), "one client's generations must increase"));
        // Gap-free: every committed change took exactly the next number.
        Assert.Equal(Enumerable.Range(1, created.Count).Select(g => (long)g), generations.Order());

        using var listingA = await onA.Http.GetAsync("/1.0/applications");
        using var listingB = await onB.Http.GetAsync("/1.0/applications");
        var fromA = await StorageRegistry.ReadAsync(listingA, ProtocolJsonContext.Default.ApplicationListing);
        var fromB = await StorageRegistry.ReadAsync(listingB, ProtocolJsonContext.Default.ApplicationListing);
        Assert.Equal(created.Count, fromA.Generation);
        Assert.Equal(fromA.Generation, fromB.Generation);
        var shared = Assert.Single(fromA.Applications, a => a.Name == "shared");
        Assert.Equal(Versions, shared.Versions.Count);
        Assert.All(shared.Versions, v => Assert.Equal(shared.Owner, v.Publisher));
        Assert.Equal(["left", "right", "shared"], fromB.Applications.Select(a => a.Name));

        async Task<List<ApplicationVersion>> PublishAsync(HttpClient http, string own)
        {
            var versions = new List<ApplicationVersion>();
            for (var i = 0; i < Versions; i++)
            {
                foreach (var name in new[] { own, "shared" })
                {
                    using var response = await CreateAsync(http, name, "amd64", i, blob);
                    if (response.StatusCode == HttpStatusCode.Created)
                    {
                        versions.Add(await StorageRegistry.ReadAsync(response, ProtocolJsonContext.Default.ApplicationVersion));
                    }
                    else
                    {
                        Assert.Equal("shared", name);
                        await AssertProblem(response, HttpStatusCode.Conflict, ProblemTypes.ApplicationOwned);
                    }
                }
            }

            return versions;
        }
    }

    /// <summary>Node B's listener is connected and its snapshot current: the next change must arrive by NOTIFY.</summary>
    private static async Task WaitUntilFollowingAsync(RegistryTestServer node)
    {
        var store = node.Host.Services.GetRequiredService<TrustStore>();
        for (var i = 0; i < 200 && !store.IsCurrent; i++)
        {
            if (i > 0)
            {
                await Task.Delay(25);
            }

            await store.RefreshAsync(CancellationToken.None);
        }

        Assert.True(store.IsCurrent, "node B never started following trust changes");
    }

    public async Task DisposeAsync()
    {
        if (!TestDatabase.UsePostgres)
        {
            return;
        }

        if (_b is not null)
        {
            await _b.DisposeAsync();
        }

        if (_a is not null)
        {
            await _a.DisposeAsync();
        }

        await _database.DisposeAsync();
    }
}
