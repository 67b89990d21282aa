using System.Text.Json;
using Aar.Cli.Common;
using Aar.Protocol;
using Aar.Protocol.Registry;
using Aar.Protocol.Signing;
using TestSupport;
using Xunit.Abstractions;

namespace Aar.Cli.Tests;

/// <summary><c>aar signing-key show|rotate</c>, <c>aar index export</c> and the signing lines of <c>aar status</c>, against a real registry.</summary>
public sealed class SigningKeyCommandTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Status_and_show_print_the_key_clients_pin()
    {
        await using var server = await RegistryTestServer.StartAsync(output);
        using var admin = server.Admin();
        var key = (await admin.GetSigningKeyAsync()).Value!;

        var status = await CliHarness.RunAsync(["status", "--data-dir", server.DataDirectory]);
        var show = await CliHarness.RunAsync(["signing-key", "show", "--data-dir", server.DataDirectory]);
        var json = await CliHarness.RunAsync(["signing-key", "show", "--format", "json", "--data-dir", server.DataDirectory]);

        Assert.Equal(ExitCodes.Ok, status.ExitCode);
        Assert.Matches($@"\| signing_key_id\s+\| {key.KeyId}\s+\|", status.Out);
        Assert.Matches($@"\| signing_public_key\s+\| {System.Text.RegularExpressions.Regex.Escape(key.PublicKey)} \|", status.Out);
        Assert.DoesNotContain("signing_problem", status.Out, StringComparison.Ordinal);
        Assert.Equal(ExitCodes.Ok, show.ExitCode);
        Assert.Matches($@"\| key_id\s+\| {key.KeyId}\s+\|", show.Out);
        Assert.Matches(@"\| rotations\s+\| 0\s+\|", show.Out);
        Assert.DoesNotContain("SEQUENCE", show.Out, StringComparison.Ordinal);
        using var document = JsonDocument.Parse(json.Out);
        Assert.Equal(key.PublicKey, document.RootElement.GetProperty("public_key").GetString());
    }

    [Fact]
    public async Task Rotate_asks_first_then_replaces_the_key_and_says_the_old_one_is_destroyed()
    {
        await using var server = await RegistryTestServer.StartAsync(output);
        using var admin = server.Admin();
        var before = (await admin.GetSigningKeyAsync()).Value!;

        var declined = await CliHarness.RunAsync(["signing-key", "rotate", "--data-dir", server.DataDirectory], stdin: "n\n");
        Assert.Equal(ExitCodes.Cancelled, declined.ExitCode);
        Assert.Equal(before.KeyId, (await admin.GetSigningKeyAsync()).Value!.KeyId);

        var rotated = await CliHarness.RunAsync(["signing-key", "rotate", "--data-dir", server.DataDirectory], stdin: "y\n");
        var after = (await admin.GetSigningKeyAsync()).Value!;
        Assert.Equal(ExitCodes.Ok, rotated.ExitCode);
        Assert.NotEqual(before.KeyId, after.KeyId);
        Assert.Contains($"Signing key rotated (rotation 1): {before.KeyId} -> {after.KeyId}.", rotated.Out, StringComparison.Ordinal);
        Assert.Contains("The previous private key is destroyed", rotated.Out, StringComparison.Ordinal);

        var json = await CliHarness.RunAsync(["signing-key", "rotate", "--yes", "--format", "json", "--data-dir", server.DataDirectory]);
        var info = JsonSerializer.Deserialize(json.Out, ProtocolJsonContext.Default.SigningKeyInfo)!;
        Assert.Equal(2, info.Rotations.Count);
        Assert.True(SigningPublicKey.TryParse(before.PublicKey, out var first, out _));
        Assert.True(RotationChain.TryFollow(first, info.Rotations, out var current, out _));
        Assert.Equal(info.KeyId, current.KeyId);

        var show = await CliHarness.RunAsync(["signing-key", "show", "--data-dir", server.DataDirectory]);
        Assert.Matches($@"\| 1\s+\| {before.KeyId} \| {after.KeyId} \|", show.Out);
        Assert.Matches($@"\| 2\s+\| {after.KeyId} \| {info.KeyId} \|", show.Out);
    }

    [Fact]
    public async Task Index_export_writes_a_signed_listing_that_verifies_with_the_registry_key()
    {
        await using var server = await RegistryTestServer.StartAsync(output);
        await ApplicationCommandTests.PublishAsync(server, ("game", "amd64", 0), ("maps", "arm64", 0));
        using var admin = server.Admin();
        Assert.True(SigningPublicKey.TryParse((await admin.GetSigningKeyAsync()).Value!.PublicKey, out var key, out _));

        var export = await CliHarness.RunAsync(["index", "export", "--architecture", "arm64", "--data-dir", server.DataDirectory]);

        Assert.Equal(ExitCodes.Ok, export.ExitCode);
        var envelope = JsonSerializer.Deserialize(export.Out, RegistryReadJsonContext.Default.SignedEnvelope)!;
        Assert.True(envelope.TryOpen(SignedApplications.PayloadType, key, RegistryReadJsonContext.Default.SignedApplications, out var listing, out var error), error);
        Assert.Equal(("arm64", "maps"), (listing.Architecture, listing.Applications.Single().Name));
        Assert.Contains($"Signed listing of 1 applications at generation 2, valid until", export.Error, StringComparison.Ordinal);
        Assert.Contains($"signed by key {key.KeyId}.", export.Error, StringComparison.Ordinal);

        var tagged = await CliHarness.RunAsync(["index", "export", "--tags", "beta,stable", "--tags", "alpha", "--data-dir", server.DataDirectory]);
        var filtered = JsonSerializer.Deserialize(tagged.Out, RegistryReadJsonContext.Default.SignedEnvelope)!;
        Assert.True(filtered.TryOpen(SignedApplications.PayloadType, key, RegistryReadJsonContext.Default.SignedApplications, out var byTags, out _));
        Assert.Equal(["alpha", "beta", "stable"], byTags.Tags);
        Assert.Equal(["game", "maps"], byTags.Applications.Select(a => a.Name));
    }

    [Theory]
    [InlineData("4m", "--listing-validity '00:04:00' must be between 5 minutes and 30 days")]
    [InlineData("31d", "--listing-validity '31.00:00:00' must be between 5 minutes and 30 days")]
    [InlineData("soon", "--listing-validity 'soon' is not a duration")]
    public async Task Serve_refuses_a_listing_validity_out_of_bounds(string value, string message)
    {
        using var temp = new TempDirectory();

        var result = await CliHarness.RunAsync(["serve", "--data-dir", temp.Combine("data"), "--listen", "127.0.0.1:0", "--listing-validity", value]);

        Assert.Equal(1, result.ExitCode);
        Assert.Contains(message, result.Error, StringComparison.Ordinal);
        Assert.False(Directory.Exists(temp.Combine("data")));
    }
}
