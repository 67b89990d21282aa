using System.Security.Cryptography;
using Aar.Protocol.Management;
using TestSupport;
using Xunit.Abstractions;

namespace Ams.Daemon.Tests.Hostile;

/// <summary>
/// A publisher AMS pushing to a registry that stops answering an upload (real Kestrel, real mutual TLS): the pass
/// fails with a sentence instead of hanging, the daemon keeps answering, and once the registry behaves the next pass
/// publishes the version.
/// </summary>
public sealed class HostilePushTests(ITestOutputHelper output)
{
    [Fact]
    public async Task A_push_whose_chunk_is_never_answered_fails_the_pass_with_a_sentence_and_the_next_pass_publishes()
    {
        await using var rig = await HostileRig.StartAsync(output, Misbehaviour.UploadNoAnswer, config: [("registry.mode", "push"), ("registry.timeout.idle", "1s"), ("registry.timeout.pass", "2m")]);
        rig.Registry.Role = "publisher";
        var (number, digest) = await CreatePublishedAsync(rig.Daemon, "pushed");

        var failed = await rig.SyncAsync();

        Assert.Equal("failed", failed.Result);
        Assert.Contains(failed.Errors, e => e.Contains("stopped taking an upload", StringComparison.Ordinal) && e.Contains("no answer came within", StringComparison.Ordinal));
        Assert.True(rig.Registry.UploadStalls >= 1);
        Assert.Empty(rig.Registry.CreatedVersions);
        var status = await rig.StatusAsync();
        Assert.Contains(status.LastPass!.Errors, e => e.Contains("stopped taking an upload", StringComparison.Ordinal));

        rig.Registry.Mode = Misbehaviour.None;
        // The worker's backoff pass may get there first: either way a pass ends well and the version is created.
        var healed = await rig.SyncAsync();

        Assert.True(healed.Result == "ok", string.Join(" | ", healed.Errors));
        Assert.Contains($"pushed/{number}/{digest}", rig.Registry.CreatedVersions);
    }

    /// <summary>Creates an application from a package over 64 KiB and publishes its version; returns its number and the package's digest.</summary>
    private static async Task<(int Number, string Digest)> CreatePublishedAsync(AmsTestDaemon daemon, string name)
    {
        var path = TestPackage.Minimal(name).File("extra.bin", RandomNumberGenerator.GetBytes(256 * 1024)).WriteTar(Path.Combine(daemon.Scratch, $"{name}.tar"));
        using var client = daemon.Client();
        await using (var file = File.OpenRead(path))
        {
            using var content = new StreamContent(file);
            var started = await client.UploadPackageAsync(content, Path.GetFileName(path), null);
            Assert.True(started.Succeeded, started.Problem?.Detail);
            var done = await client.WaitOperationAsync(started.Value!.Id, TimeSpan.FromMinutes(2));
            Assert.True(done.Succeeded && done.Value!.Status == OperationInfo.Success, done.Problem?.Detail ?? done.Value?.Err);
        }

        var version = (await client.GetApplicationAsync(name)).Value!.Versions.Single();
        Assert.True((await client.SetPublishedAsync(name, version.Number, true)).Succeeded);
        return (version.Number, "sha256:" + version.Sha256);
    }
}
