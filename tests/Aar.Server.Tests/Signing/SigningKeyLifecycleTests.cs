using System.Net;
using Aar.Protocol.Http;
using Aar.Protocol.Registry;
using Aar.Protocol.Signing;
using Xunit.Abstractions;
using static Aar.Server.Tests.Metrics.MetricsListenerTests;

namespace Aar.Server.Tests.Signing;

/// <summary>The signing key's life: created once (0600), kept across restarts, rotated with a chain clients follow, refused when stale.</summary>
public sealed class SigningKeyLifecycleTests(ITestOutputHelper output)
{
    [Fact]
    public async Task The_key_is_created_once_as_a_0600_file_and_kept_across_restarts()
    {
        await using var registry = await StorageRegistry.StartAsync(output);
        var path = Path.Combine(registry.Server.DataDirectory, "certs", "signing.key");
        var first = (await registry.Typed().GetSigningKeyAsync()).Value!;

        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
        using (var onDisk = SigningKeyPair.LoadPem(path))
        {
            Assert.Equal(first.KeyId, onDisk.PublicKey.KeyId);
        }

        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.OtherRead);
        await registry.Server.RestartAsync();

        Assert.Equal(first.KeyId, (await registry.Typed().GetSigningKeyAsync()).Value!.KeyId);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
        Assert.True(await VerifiesAsync(registry.Typed(), first.PublicKey));
    }

    [Fact]
    public async Task A_rotation_is_followed_from_the_first_key_and_only_the_new_key_signs_afterwards_even_after_a_restart()
    {
        await using var registry = await StorageRegistry.StartAsync(output);
        var path = Path.Combine(registry.Server.DataDirectory, "certs", "signing.key");
        var first = (await registry.Typed().GetSigningKeyAsync()).Value!;
        Assert.True(SigningPublicKey.TryParse(first.PublicKey, out var pinned, out _));

        SigningKeyInfo rotated;
        using (var admin = registry.Server.Admin())
        {
            rotated = (await admin.RotateSigningKeyAsync()).Value!;
            rotated = (await admin.RotateSigningKeyAsync()).Value!;
        }

        Assert.Equal(2, rotated.Rotations.Count);
        Assert.NotEqual(first.KeyId, rotated.KeyId);
        Assert.True(RotationChain.TryFollow(pinned, rotated.Rotations, out var followed, out var error), error);
        Assert.Equal(rotated.KeyId, followed.KeyId);
        Assert.False(File.Exists(path + ".next"));
        using (var onDisk = SigningKeyPair.LoadPem(path))
        {
            Assert.Equal(rotated.KeyId, onDisk.PublicKey.KeyId);
        }

        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
        Assert.True(await VerifiesAsync(registry.Typed(), rotated.PublicKey));
        Assert.False(await VerifiesAsync(registry.Typed(), first.PublicKey));

        await registry.Server.RestartAsync();

        var afterRestart = (await registry.Typed().GetSigningKeyAsync()).Value!;
        Assert.Equal(rotated.KeyId, afterRestart.KeyId);
        Assert.True(RotationChain.TryFollow(pinned, afterRestart.Rotations, out followed, out _));
        Assert.Equal(rotated.KeyId, followed.KeyId);
        Assert.True(await VerifiesAsync(registry.Typed(), rotated.PublicKey));
        using var status = registry.Server.Admin();
        Assert.Equal(2, (await status.GetStatusAsync()).Value!.SigningKeyRotations);
    }

    [Fact]
    public async Task A_node_whose_key_file_is_not_the_current_key_refuses_to_sign_and_is_not_ready_until_the_right_file_is_copied()
    {
        await using var registry = await StorageRegistry.StartAsync(output, WithMetrics());
        var path = Path.Combine(registry.Server.DataDirectory, "certs", "signing.key");
        var current = (await registry.Typed().GetSigningKeyAsync()).Value!;
        var saved = await File.ReadAllBytesAsync(path);
        await registry.Server.StopAsync();
        using (var other = SigningKeyPair.Create())
        {
            other.SavePem(path);
        }

        await registry.Server.RestartAsync();
        var client = registry.Typed();

        var refused = await client.GetSignedApplicationsAsync();
        Assert.Equal((ProblemTypes.SigningKeyNotCurrent, 503), (refused.Problem?.Type, refused.Problem?.Status));
        Assert.Contains($"is not the registry's current key {current.KeyId}", refused.Problem!.Detail, StringComparison.Ordinal);
        Assert.Contains($"to {path} on this node", refused.Problem.Detail, StringComparison.Ordinal);
        Assert.Equal(ProblemTypes.SigningKeyNotCurrent, (await client.GetSignedDeletionsAsync(0)).Problem?.Type);
        Assert.Equal(current.KeyId, (await client.GetSigningKeyAsync()).Value!.KeyId);
        using (var admin = registry.Server.Admin())
        {
            var status = (await admin.GetStatusAsync()).Value!;
            Assert.Equal(current.KeyId, status.SigningKeyId);
            Assert.Contains("This node cannot sign", status.SigningProblem, StringComparison.Ordinal);
            Assert.Equal(ProblemTypes.SigningKeyNotCurrent, (await admin.RotateSigningKeyAsync()).Problem?.Type);
        }

        using var http = new HttpClient { BaseAddress = registry.Server.Host.MetricsAddress };
        using (var notReady = await http.GetAsync("/readyz"))
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, notReady.StatusCode);
            Assert.Contains("\nsigning: Unhealthy (This node cannot sign", await notReady.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        // The operator copies the right file: picked up without a restart.
        await File.WriteAllBytesAsync(path, saved);
        await WaitAsync(async () => (await client.GetSignedApplicationsAsync()).Succeeded, TimeSpan.FromSeconds(10), "the node to sign with the copied key");
        Assert.True(await VerifiesAsync(registry.Typed(), current.PublicKey));
        using var ready = await http.GetAsync("/readyz");
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
    }

    [Fact]
    public async Task A_node_without_a_key_file_does_not_make_one_up_when_the_registry_has_a_key()
    {
        await using var registry = await StorageRegistry.StartAsync(output);
        var path = Path.Combine(registry.Server.DataDirectory, "certs", "signing.key");
        var current = (await registry.Typed().GetSigningKeyAsync()).Value!;
        await registry.Server.StopAsync();
        File.Move(path, path + ".away");

        await registry.Server.RestartAsync();

        Assert.False(File.Exists(path));
        var refused = await registry.Typed().GetSignedApplicationsAsync();
        Assert.Equal(ProblemTypes.SigningKeyNotCurrent, refused.Problem?.Type);
        Assert.Contains($"the registry signs with key {current.KeyId}, and {path} does not exist", refused.Problem!.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_explicit_signing_key_path_is_used_and_the_listing_validity_is_bounded()
    {
        using var elsewhere = new TestSupport.TempDirectory();
        var path = Path.Combine(elsewhere.Path, "shared-signing.key");
        await using var registry = await StorageRegistry.StartAsync(output, o => o with { SigningKeyPath = path });

        using (var onDisk = SigningKeyPair.LoadPem(path))
        {
            Assert.Equal(onDisk.PublicKey.KeyId, (await registry.Typed().GetSigningKeyAsync()).Value!.KeyId);
        }

        Assert.False(File.Exists(Path.Combine(registry.Server.DataDirectory, "certs", "signing.key")));
        foreach (var validity in new[] { TimeSpan.FromMinutes(4), TimeSpan.FromDays(31) })
        {
            var errors = Aar.Server.Hosting.ServeOptionsValidator.Validate(registry.Server.Options with { ListingValidity = validity });
            Assert.Contains(errors, e => e.StartsWith("--listing-validity", StringComparison.Ordinal));
        }

        Assert.Empty(Aar.Server.Hosting.ServeOptionsValidator.Validate(registry.Server.Options with { ListingValidity = TimeSpan.FromMinutes(5) }));
    }

    [Fact]
    public async Task A_rotation_cut_short_by_a_crash_is_finished_after_the_database_recorded_it_and_undone_before()
    {
        await using var registry = await StorageRegistry.StartAsync(output);
        var path = Path.Combine(registry.Server.DataDirectory, "certs", "signing.key");
        var oldKey = await File.ReadAllBytesAsync(path);
        SigningKeyInfo rotated;
        using (var admin = registry.Server.Admin())
        {
            rotated = (await admin.RotateSigningKeyAsync()).Value!;
        }

        // Crash after the database recorded the rotation, before the new key was renamed over the old one.
        await registry.Server.StopAsync();
        File.Move(path, path + ".next");
        await File.WriteAllBytesAsync(path, oldKey);
        await registry.Server.RestartAsync();

        Assert.False(File.Exists(path + ".next"));
        Assert.True(await VerifiesAsync(registry.Typed(), rotated.PublicKey));

        // Crash before the database recorded it: the stray new key goes, the current key stays.
        await registry.Server.StopAsync();
        using (var stray = SigningKeyPair.Create())
        {
            stray.SavePem(path + ".next");
        }

        await registry.Server.RestartAsync();

        Assert.False(File.Exists(path + ".next"));
        Assert.Equal(rotated.KeyId, (await registry.Typed().GetSigningKeyAsync()).Value!.KeyId);
        Assert.True(await VerifiesAsync(registry.Typed(), rotated.PublicKey));
    }

    [Fact]
    public async Task A_signing_key_path_that_cannot_be_written_stops_the_start_with_one_sentence()
    {
        using var temp = new TestSupport.TempDirectory();
        var path = Path.Combine(temp.Path, "missing-directory", "signing.key");

        var error = await Assert.ThrowsAsync<Aar.Hosting.StartupException>(() => StorageRegistry.StartAsync(output, o => o with { SigningKeyPath = path }));

        Assert.StartsWith($"Cannot create the signing key {path} (", error.Message, StringComparison.Ordinal);
        Assert.EndsWith("or give another path with --signing-key.", error.Message, StringComparison.Ordinal);
    }

    internal static async Task WaitAsync(Func<Task<bool>> condition, TimeSpan timeout, string what)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"Timed out waiting for {what}.");
            await Task.Delay(100);
        }
    }

    /// <summary>Whether the registry's signed listing now verifies with <paramref name="publicKey"/>.</summary>
    internal static async Task<bool> VerifiesAsync(RegistryClient client, string publicKey)
    {
        Assert.True(SigningPublicKey.TryParse(publicKey, out var key, out _));
        var signed = await client.GetSignedApplicationsAsync();
        Assert.True(signed.Succeeded, signed.Problem?.Detail);
        return signed.Value!.TryOpen(SignedApplications.PayloadType, key, out _, out _);
    }
}
