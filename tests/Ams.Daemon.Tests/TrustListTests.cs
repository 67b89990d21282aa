using TestSupport;
using Xunit.Abstractions;

namespace Ams.Daemon.Tests;

public sealed class TrustListTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Add_list_and_remove_a_registry_certificate()
    {
        await using var daemon = await AmsTestDaemon.StartAsync(output);
        using var client = daemon.Client();
        using var registry = TestCertificates.ValidBetween("aar-registry", TimeSpan.FromDays(-1), TimeSpan.FromDays(30));
        var fingerprint = TestCertificates.FingerprintOf(registry);

        var added = await client.AddTrustAsync(TestCertificates.Pem(registry));
        var listed = await client.ListTrustAsync();

        Assert.True(added.Succeeded, added.Problem?.Detail);
        Assert.Equal(fingerprint, added.Value!.Fingerprint);
        Assert.Equal("aar-registry", added.Value.CommonName);
        var entry = Assert.Single(listed.Value!);
        Assert.Equal((fingerprint, "aar-registry"), (entry.Fingerprint, entry.CommonName));
        Assert.Equal(registry.NotAfter.ToUniversalTime(), entry.ExpiryDate.UtcDateTime, TimeSpan.FromSeconds(1));

        var removed = await client.RemoveTrustAsync(fingerprint[..12]);
        Assert.True(removed.Succeeded, removed.Problem?.Detail);
        Assert.Empty((await client.ListTrustAsync()).Value!);
    }

    [Fact]
    public async Task Remove_by_common_name_as_the_reference_example_does()
    {
        await using var daemon = await AmsTestDaemon.StartAsync(output);
        using var client = daemon.Client();
        using var registry = TestCertificates.ValidBetween("root@juju-3bdb58-1", TimeSpan.FromDays(-1), TimeSpan.FromDays(30));
        await client.AddTrustAsync(TestCertificates.Pem(registry));

        var removed = await client.RemoveTrustAsync("root@juju-3bdb58-1");

        Assert.True(removed.Succeeded, removed.Problem?.Detail);
        Assert.Empty((await client.ListTrustAsync()).Value!);
    }

    [Fact]
    public async Task A_repeat_is_a_success_that_says_already_trusted_and_changes_nothing()
    {
        await using var daemon = await AmsTestDaemon.StartAsync(output);
        using var client = daemon.Client();
        using var registry = TestCertificates.Client("aar");
        var first = await client.AddTrustAsync(TestCertificates.Pem(registry));

        var again = await client.AddTrustAsync(TestCertificates.Pem(registry));

        Assert.True(again.Succeeded, again.Problem?.Detail);
        Assert.False(first.Value!.AlreadyTrusted);
        Assert.True(again.Value!.AlreadyTrusted);
        // The entry as it was first added, not a new one.
        Assert.Equal((first.Value.Fingerprint, first.Value.AddedAt), (again.Value.Fingerprint, again.Value.AddedAt));
        var listed = Assert.Single((await client.ListTrustAsync()).Value!);
        Assert.False(listed.AlreadyTrusted);
    }

    [Fact]
    public async Task Refuses_non_pem_private_keys_and_expired_certificates()
    {
        await using var daemon = await AmsTestDaemon.StartAsync(output);
        using var client = daemon.Client();
        using var certificate = TestCertificates.Client("aar");
        using var expired = TestCertificates.ValidBetween("old", TimeSpan.FromDays(-30), TimeSpan.FromDays(-1));

        var notPem = await client.AddTrustAsync("hello, I am not a certificate");
        var key = await client.AddTrustAsync(TestCertificates.PrivateKeyPem(certificate));
        var old = await client.AddTrustAsync(TestCertificates.Pem(expired));

        Assert.Contains("is not PEM: expected a block starting with -----BEGIN CERTIFICATE-----", notPem.Problem!.Detail, StringComparison.Ordinal);
        Assert.Contains("contains a private key, not a certificate", key.Problem!.Detail, StringComparison.Ordinal);
        Assert.Contains("expired on", old.Problem!.Detail, StringComparison.Ordinal);
        Assert.All(new[] { notPem, key, old }, r => Assert.Equal(400, r.Problem!.Status));
        Assert.Empty((await client.ListTrustAsync()).Value!);
    }

    [Fact]
    public async Task Fingerprint_setting_needs_a_trusted_certificate_and_accepts_the_prefix_the_table_shows()
    {
        await using var daemon = await AmsTestDaemon.StartAsync(output);
        using var client = daemon.Client();
        using var registry = TestCertificates.Client("aar");
        var fingerprint = TestCertificates.FingerprintOf(registry);

        var before = await client.SetConfigAsync("registry.fingerprint", fingerprint);
        await client.AddTrustAsync(TestCertificates.Pem(registry));
        var after = await client.SetConfigAsync("registry.fingerprint", fingerprint[..12]);

        Assert.Contains("matches no certificate in the trust list", before.Problem!.Detail, StringComparison.Ordinal);
        Assert.Equal(fingerprint, after.Value!.Config["registry.fingerprint"]);
    }

    [Fact]
    public async Task The_pinned_certificate_cannot_be_removed_until_the_pin_is_cleared()
    {
        await using var daemon = await AmsTestDaemon.StartAsync(output);
        using var client = daemon.Client();
        using var registry = TestCertificates.Client("aar");
        var fingerprint = TestCertificates.FingerprintOf(registry);
        await client.AddTrustAsync(TestCertificates.Pem(registry));
        await client.SetConfigAsync("registry.fingerprint", fingerprint);

        var refused = await client.RemoveTrustAsync(fingerprint);
        await client.SetConfigAsync("registry.fingerprint", "");
        var removed = await client.RemoveTrustAsync(fingerprint);

        Assert.Equal(409, refused.Problem!.Status);
        Assert.Contains("is the pinned registry.fingerprint", refused.Problem.Detail, StringComparison.Ordinal);
        Assert.True(removed.Succeeded);
    }

    [Theory]
    [InlineData("0123456789ab", 404, "No certificate in the trust list has the fingerprint or name '0123456789ab'")]
    [InlineData("nobody", 404, "No certificate in the trust list has the fingerprint or name 'nobody'")]
    public async Task Removing_an_unknown_certificate_says_so(string which, int status, string message)
    {
        await using var daemon = await AmsTestDaemon.StartAsync(output);
        using var client = daemon.Client();

        var removed = await client.RemoveTrustAsync(which);

        Assert.Equal(status, removed.Problem!.Status);
        Assert.Contains(message, removed.Problem.Detail, StringComparison.Ordinal);
    }
}
