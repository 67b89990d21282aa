using System.Net;
using Aar.Protocol.Enrolment;
using Aar.Protocol.Http;
using Aar.Protocol.Registry;
using Aar.Protocol.Signing;
using TestSupport;
using Xunit.Abstractions;
using static Aar.Server.Tests.ApplicationTests;
using static Aar.Server.Tests.TrustEnforcementTests;

namespace Aar.Server.Tests.Signing;

/// <summary>The signed index over real mTLS: listings and deletions a client verifies with the key the registry publishes.</summary>
public sealed class SignedIndexTests(ITestOutputHelper output)
{
    [Fact]
    public async Task A_signed_listing_verifies_with_the_published_key_and_binds_its_query_and_expiry()
    {
        await using var registry = await StorageRegistry.StartAsync(output, o => o with { ListingValidity = TimeSpan.FromHours(2) });
        var blob = await StoreAsync(registry, 100);
        (await CreateAsync(registry.Http, "game", "amd64", 0, blob, extra: "\"tags\":[\"beta\"]")).Dispose();
        (await CreateAsync(registry.Http, "game", "arm64", 0, blob, extra: "\"tags\":[\"beta\"]")).Dispose();
        (await CreateAsync(registry.Http, "maps", "amd64", 0, blob, extra: "\"tags\":[\"stable\"]")).Dispose();
        var publisher = registry.Typed();

        var key = await publisher.GetSigningKeyAsync();
        Assert.True(key.Succeeded, key.Problem?.Detail);
        Assert.True(SigningPublicKey.TryParse(key.Value!.PublicKey, out var published, out _));
        Assert.Equal(published.KeyId, key.Value.KeyId);
        Assert.Empty(key.Value.Rotations);
        using (var admin = registry.Server.Admin())
        {
            var status = (await admin.GetStatusAsync()).Value!;
            Assert.Equal((published.KeyId, published.Base64, 0, null), (status.SigningKeyId, status.SigningPublicKey, status.SigningKeyRotations, status.SigningProblem));
        }

        var before = DateTimeOffset.UtcNow;
        var signed = await publisher.GetSignedApplicationsAsync("amd64", ["stable", "beta", "beta"]);
        var after = DateTimeOffset.UtcNow;
        Assert.True(signed.Succeeded, signed.Problem?.Detail);
        Assert.True(signed.Value!.TryOpen(SignedApplications.PayloadType, published, RegistryReadJsonContext.Default.SignedApplications, out var listing, out var error), error);
        var plain = (await publisher.ListApplicationsAsync("amd64", ["beta", "stable"])).Value!;
        Assert.Equal(plain.Generation, listing.Generation);
        Assert.Equal("amd64", listing.Architecture);
        Assert.Equal(["beta", "stable"], listing.Tags);
        Assert.Equal(["game/amd64", "maps/amd64"], listing.Applications.Select(a => $"{a.Name}/{a.Architecture}"));
        Assert.Equal(plain.Applications.SelectMany(a => a.Versions).Select(v => (v.Digest, v.Size, v.Version)), listing.Applications.SelectMany(a => a.Versions).Select(v => (v.Digest, v.Size, v.Version)));
        Assert.InRange(listing.IssuedAt, before.AddSeconds(-1), after.AddSeconds(1));
        Assert.Equal(TimeSpan.FromHours(2), listing.ExpiresAt - listing.IssuedAt);

        var all = await publisher.GetSignedApplicationsAsync();
        Assert.True(all.Value!.TryOpen(SignedApplications.PayloadType, published, RegistryReadJsonContext.Default.SignedApplications, out var unfiltered, out _));
        Assert.Equal((null, null, 3), (unfiltered.Architecture, unfiltered.Tags, unfiltered.Applications.Count));
    }

    [Fact]
    public async Task One_signed_listing_answers_a_fleet_until_the_generation_changes()
    {
        await using var registry = await StorageRegistry.StartAsync(output);
        var blob = await StoreAsync(registry, 100);
        (await CreateAsync(registry.Http, "game", "amd64", 0, blob)).Dispose();

        // ECDSA signatures are randomized: equal bodies mean one signing served every request.
        var bodies = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => registry.Http.GetByteArrayAsync(RegistryRoutes.SignedApplications)));
        (await CreateAsync(registry.Http, "game", "amd64", 1, blob)).Dispose();
        using var changed = await registry.Http.GetAsync(RegistryRoutes.SignedApplications);
        var after = await changed.Content.ReadAsByteArrayAsync();

        Assert.All(bodies, b => Assert.Equal(bodies[0], b));
        Assert.NotEqual(bodies[0], after);
        Assert.Equal("\"2\"", changed.Headers.ETag?.Tag);
        var key = (await registry.Typed().GetSigningKeyAsync()).Value!;
        Assert.True(SigningPublicKey.TryParse(key.PublicKey, out var published, out _));
        var envelope = System.Text.Json.JsonSerializer.Deserialize(after, RegistryReadJsonContext.Default.SignedEnvelope)!;
        Assert.True(envelope.TryOpen(SignedApplications.PayloadType, published, RegistryReadJsonContext.Default.SignedApplications, out var listing, out var error), error);
        Assert.Equal((2L, 2), (listing.Generation, listing.Applications.Single().Versions.Count));
    }

    [Fact]
    public async Task An_unchanged_generation_answers_304_and_a_change_a_new_signed_listing()
    {
        await using var registry = await StorageRegistry.StartAsync(output);
        var blob = await StoreAsync(registry, 100);
        (await CreateAsync(registry.Http, "game", "amd64", 0, blob)).Dispose();
        var client = registry.Typed();

        using (var first = await registry.Http.GetAsync(RegistryRoutes.SignedApplications))
        {
            Assert.Equal(HttpStatusCode.OK, first.StatusCode);
            Assert.Equal("\"1\"", first.Headers.ETag?.Tag);
            Assert.Equal("1", first.Headers.GetValues(RegistryRoutes.GenerationHeader).Single());
        }

        using (var request = new HttpRequestMessage(HttpMethod.Get, RegistryRoutes.SignedApplications))
        {
            request.Headers.IfNoneMatch.Add(new System.Net.Http.Headers.EntityTagHeaderValue("\"1\""));
            using var unchanged = await registry.Http.SendAsync(request);
            Assert.Equal(HttpStatusCode.NotModified, unchanged.StatusCode);
            Assert.Empty(await unchanged.Content.ReadAsByteArrayAsync());
        }

        var notModified = await client.GetSignedApplicationsAsync(knownGeneration: 1);
        Assert.True(notModified.Succeeded);
        Assert.Null(notModified.Value);
        (await CreateAsync(registry.Http, "game", "amd64", 1, blob)).Dispose();
        var changed = await client.GetSignedApplicationsAsync(knownGeneration: 1);
        Assert.True(SigningPublicKey.TryParse((await client.GetSigningKeyAsync()).Value!.PublicKey, out var key, out _));
        Assert.True(changed.Value!.TryOpen(SignedApplications.PayloadType, key, RegistryReadJsonContext.Default.SignedApplications, out var listing, out _));
        Assert.Equal(2, listing.Generation);
    }

    [Fact]
    public async Task Signed_deletions_verify_and_say_since_when()
    {
        await using var registry = await StorageRegistry.StartAsync(output);
        var blob = await StoreAsync(registry, 100);
        (await CreateAsync(registry.Http, "game", "amd64", 0, blob)).Dispose();
        (await CreateAsync(registry.Http, "maps", "amd64", 0, blob)).Dispose();
        (await registry.Http.DeleteAsync("/1.0/applications/game/amd64/versions/0")).Dispose();
        (await registry.Http.DeleteAsync("/1.0/applications/maps/amd64")).Dispose();
        var client = registry.Typed();
        Assert.True(SigningPublicKey.TryParse((await client.GetSigningKeyAsync()).Value!.PublicKey, out var key, out _));

        var signed = await client.GetSignedDeletionsAsync(3);

        Assert.True(signed.Value!.TryOpen(SignedDeletions.PayloadType, key, RegistryReadJsonContext.Default.SignedDeletions, out var deletions, out var error), error);
        Assert.Equal((4L, 3L), (deletions.Generation, deletions.Since));
        Assert.Equal([(4L, "maps", (int?)null)], deletions.Deletions.Select(d => (d.Generation, d.Name, d.Version)));
        Assert.Equal(TimeSpan.FromHours(24), deletions.ExpiresAt - deletions.IssuedAt);
        Assert.False(signed.Value.TryOpen(SignedApplications.PayloadType, key, out _, out _));
        using var bad = await registry.Http.GetAsync(RegistryRoutes.SignedDeletions + "?since=x");
        await AssertProblem(bad, HttpStatusCode.BadRequest, ProblemTypes.InvalidRequest);
    }

    [Fact]
    public async Task The_signed_routes_need_a_trusted_caller()
    {
        await using var registry = await StorageRegistry.StartAsync(output);
        using var certificate = TestCertificates.Client("stranger");
        using var stranger = registry.Server.Client(certificate);

        foreach (var route in new[] { RegistryRoutes.SignedApplications, RegistryRoutes.SignedDeletions, RegistryRoutes.SigningKey })
        {
            using var refused = await stranger.Http.GetAsync(route);
            await AssertProblem(refused, HttpStatusCode.Forbidden, ProblemTypes.UntrustedCertificate);
        }
    }

    [Fact]
    public async Task A_join_token_carries_the_signing_key()
    {
        await using var registry = await StorageRegistry.StartAsync(output);
        using var admin = registry.Server.Admin();
        var status = (await admin.GetStatusAsync()).Value!;

        var created = await admin.CreateTokenAsync(new CreateTokenRequest { Role = "client" });

        Assert.True(JoinToken.TryDecode(created.Value!.Token, out var token, out _));
        Assert.Equal(status.SigningPublicKey, token!.SigningKey);
    }

    [Fact]
    public async Task An_export_over_the_admin_socket_verifies_with_the_key()
    {
        await using var registry = await StorageRegistry.StartAsync(output);
        var blob = await StoreAsync(registry, 100);
        (await CreateAsync(registry.Http, "game", "arm64", 0, blob)).Dispose();
        using var admin = registry.Server.Admin();
        Assert.True(SigningPublicKey.TryParse((await admin.GetSigningKeyAsync()).Value!.PublicKey, out var key, out _));

        var exported = await admin.GetSignedApplicationsAsync("arm64");

        Assert.True(exported.Value!.TryOpen(SignedApplications.PayloadType, key, RegistryReadJsonContext.Default.SignedApplications, out var listing, out _));
        Assert.Equal(("arm64", "game"), (listing.Architecture, listing.Applications.Single().Name));
    }
}
