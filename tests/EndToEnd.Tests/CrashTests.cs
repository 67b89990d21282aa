using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using Aar.Protocol;
using Xunit.Abstractions;

namespace EndToEnd.Tests;

/// <summary>
/// kill -9 in the middle of a transfer, on either side: after a restart the version arrives whole and verified, the
/// transfer continues where it stopped, and nothing half-done is ever visible.
/// </summary>
public sealed partial class CrashTests(ITestOutputHelper output)
{
    /// <summary>Large enough that a transfer takes a few seconds here, so the kill lands in the middle of it.</summary>
    private const int PackageMebibytes = 400;

    /// <summary>The registry persists an upload's offset every 64 MiB; killing past 2 × that leaves something to resume.</summary>
    private const long KillAfterBytes = 150L << 20;

    private static readonly TimeSpan Patience = TimeSpan.FromMinutes(2);

    [Fact]
    public async Task Kill_9_of_the_registry_during_a_push_then_a_restart_resumes_the_upload_and_the_version_arrives_whole()
    {
        await using var site = await Site.StartJoinedAsync(output, withClient: false);
        var (registry, publisher) = site;
        var source = (await publisher.CreateAndPublishAsync("big", Packages.Large(publisher, "big", PackageMebibytes))).Versions[0];

        var start = await publisher.AmcAsync("registry", "sync");
        Assert.True(start.ExitCode == 0, start.ToString());
        var transfer = await Poll.UntilAsync(async () => (await publisher.StatusAsync()).Transfers.FirstOrDefault(t => t.Direction == "upload" && t.Bytes > 0), Patience, "amc registry status to show the upload moving", 10);
        Assert.Equal(("big", 0, source.Size), (transfer.Application, transfer.Version, transfer.Total));
        var partial = await Poll.UntilAsync(() => Task.FromResult(TransferProbes.LargestFile(registry.UploadsDirectory, KillAfterBytes)), Patience, $"the registry to hold {KillAfterBytes} bytes of the upload", 5);
        await registry.KillAsync();
        var stored = new FileInfo(partial.FullName).Length;
        Assert.True(stored < source.Size, $"the kill came after the upload was complete ({stored} of {source.Size} bytes)");
        var broken = await Poll.UntilAsync(async () => await publisher.StatusAsync() is { Running: false, LastPass: { } last } ? last : null, Patience, "the broken pass to end");
        Assert.Equal("failed", broken.Result);
        output.WriteLine($"killed aar with {stored} of {source.Size} bytes stored; the pass said: {string.Join(" | ", broken.Errors)}");

        await registry.StartAsync();
        await publisher.SyncOkAsync();

        var show = await registry.AarAsync("application", "show", "big", "--format", "json");
        Assert.True(show.ExitCode == 0, show.ToString());
        var version = Assert.Single(Assert.Single(JsonSerializer.Deserialize(show.Out, ProtocolJsonContext.Default.ListApplicationRecord)!).Versions);
        Assert.Equal(($"sha256:{source.Sha256}", source.Size), (version.Digest, version.Size));
        // Resumed, not restarted: the restarted registry continued the session the first run started, from the bytes
        // it had stored, and no new session was opened.
        var session = TransferProbes.UploadStarted().Match(registry.Log).Groups[1].Value;
        Assert.Equal(Path.GetFileName(partial.FullName), session);
        Assert.DoesNotMatch(TransferProbes.UploadStarted(), registry.CurrentLog);
        var rebuilt = Resumed().Match(registry.CurrentLog);
        Assert.True(rebuilt.Success, registry.CurrentLog);
        Assert.Equal(session, rebuilt.Groups[1].Value);
        var resumedFrom = long.Parse(rebuilt.Groups[2].Value, CultureInfo.InvariantCulture);
        Assert.InRange(resumedFrom, 64L << 20, stored);
        Assert.Contains($"Upload {session} completed as sha256:{source.Sha256} ({source.Size} bytes)", registry.CurrentLog, StringComparison.Ordinal);
        Assert.Empty(Directory.EnumerateFiles(registry.UploadsDirectory));
    }

    [Fact]
    public async Task Kill_9_of_a_client_during_a_pull_then_a_restart_imports_the_version_whole_and_never_shows_half_of_it()
    {
        await using var site = await Site.StartJoinedAsync(output);
        var (registry, publisher, client) = site;
        var source = (await publisher.CreateAndPublishAsync("big", Packages.Large(publisher, "big", PackageMebibytes))).Versions[0];
        Assert.Equal(1, (await publisher.SyncOkAsync()).Uploaded);

        var start = await client.AmcAsync("registry", "sync");
        Assert.True(start.ExitCode == 0, start.ToString());
        var transfer = await Poll.UntilAsync(async () => (await client.StatusAsync()).Transfers.FirstOrDefault(t => t.Direction == "download" && t.Bytes > 0), Patience, "amc registry status to show the download moving", 10);
        Assert.Equal(("big", 0, source.Size), (transfer.Application, transfer.Version, transfer.Total));
        var partial = await Poll.UntilAsync(() => Task.FromResult(TransferProbes.LargestFile(client.DownloadsDirectory, KillAfterBytes)), Patience, $"the client to hold {KillAfterBytes} bytes of the download", 5);
        await client.KillAsync();
        var stored = new FileInfo(partial.FullName).Length;
        Assert.Equal($"{source.Sha256}.partial", partial.Name);
        Assert.InRange(stored, KillAfterBytes, source.Size - 1);

        // The restarted daemon starts a pass by itself. Watch it: the application is absent or complete, never half.
        await client.StartAsync();
        var progress = new List<long>();
        var imported = await Poll.UntilAsync(
            async () =>
            {
                progress.AddRange((await client.StatusAsync()).Transfers.Where(t => t.Direction == "download" && t.Bytes > 0).Select(t => t.Bytes));
                var seen = await client.ShowAsync("big");
                if (seen is not null)
                {
                    Assert.Equal([(0, "ready", source.Sha256, source.Size)], seen.Versions.Select(v => (v.Number, v.Status, v.Sha256, v.Size)));
                }

                return seen;
            },
            Patience,
            "the restarted client to import the version",
            everyMilliseconds: 0);
        output.WriteLine($"killed ams with {stored} of {source.Size} bytes; after the restart the download was seen at [{string.Join(", ", progress)}]");
        // Continued from the partial file, not from byte 0 (as far as the polls saw it move).
        Assert.All(progress, bytes => Assert.True(bytes >= stored, $"the download restarted from {bytes} < {stored}"));

        await client.SyncOkAsync();
        var final = await client.ShowAsync("big");
        Assert.Equal(("ready", true), (final!.Status, final.Immutable));
        Assert.Equal([(0, "ready", source.Sha256, source.Size)], final.Versions.Select(v => (v.Number, v.Status, v.Sha256, v.Size)));
        Assert.Equal(imported.Id, final.Id);
        Assert.Empty(Directory.EnumerateFiles(client.DownloadsDirectory));
    }

    [Fact]
    public async Task Kill_9_of_the_publisher_during_a_push_then_a_restart_continues_the_same_upload_session()
    {
        await using var site = await Site.StartJoinedAsync(output, withClient: false);
        var (registry, publisher) = site;
        var source = (await publisher.CreateAndPublishAsync("big", Packages.Large(publisher, "big", PackageMebibytes))).Versions[0];

        var start = await publisher.AmcAsync("registry", "sync");
        Assert.True(start.ExitCode == 0, start.ToString());
        var partial = await Poll.UntilAsync(() => Task.FromResult(TransferProbes.LargestFile(registry.UploadsDirectory, KillAfterBytes)), Patience, $"the registry to hold {KillAfterBytes} bytes of the upload", 5);
        await publisher.KillAsync();
        var session = Path.GetFileName(partial.FullName);
        await Poll.UntilAsync(() => Task.FromResult(ChunkBroke(session).Match(registry.Log) is { Success: true } m ? m : null), Patience, "the registry to notice the broken chunk");
        var stored = new FileInfo(partial.FullName).Length;
        Assert.InRange(stored, KillAfterBytes, source.Size - 1);

        // The restarted publisher starts a pass by itself; this one waits for a pass after it.
        await publisher.StartAsync();
        await publisher.SyncOkAsync();

        var show = await registry.AarAsync("application", "show", "big", "--format", "json");
        Assert.True(show.ExitCode == 0, show.ToString());
        var version = Assert.Single(Assert.Single(JsonSerializer.Deserialize(show.Out, ProtocolJsonContext.Default.ListApplicationRecord)!).Versions);
        Assert.Equal(($"sha256:{source.Sha256}", source.Size), (version.Digest, version.Size));
        // One session from start to end: the publisher remembered its id across the kill and continued it.
        Assert.Equal([session], TransferProbes.UploadStarted().Matches(registry.Log).Select(m => m.Groups[1].Value));
        Assert.Contains($"Upload {session} completed as sha256:{source.Sha256} ({source.Size} bytes)", registry.Log, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Kill_9_of_the_registry_during_a_pull_then_a_restart_continues_the_download_and_imports_it_whole()
    {
        await using var site = await Site.StartJoinedAsync(output);
        var (registry, publisher, client) = site;
        var source = (await publisher.CreateAndPublishAsync("big", Packages.Large(publisher, "big", PackageMebibytes))).Versions[0];
        Assert.Equal(1, (await publisher.SyncOkAsync()).Uploaded);

        var start = await client.AmcAsync("registry", "sync");
        Assert.True(start.ExitCode == 0, start.ToString());
        var partial = await Poll.UntilAsync(() => Task.FromResult(TransferProbes.LargestFile(client.DownloadsDirectory, KillAfterBytes)), Patience, $"the client to hold {KillAfterBytes} bytes of the download", 5);
        await registry.KillAsync();
        var broken = await Poll.UntilAsync(async () => await client.StatusAsync() is { Running: false, LastPass: { Number: > 1 } last } ? last : null, Patience, "the broken pass to end");
        Assert.Equal("failed", broken.Result);
        Assert.Null(await client.ShowAsync("big"));
        var stored = new FileInfo(partial.FullName).Length;
        Assert.InRange(stored, KillAfterBytes, source.Size - 1);

        await registry.StartAsync();
        var progress = new List<long>();
        var pass = client.SyncOkAsync();
        while (!pass.IsCompleted)
        {
            progress.AddRange((await client.StatusAsync()).Transfers.Where(t => t.Direction == "download" && t.Bytes > 0).Select(t => t.Bytes));
        }

        Assert.Equal(1, (await pass).Downloaded);
        output.WriteLine($"killed aar with {stored} of {source.Size} bytes on the client; after the restart the download was seen at [{string.Join(", ", progress)}]");
        Assert.All(progress, bytes => Assert.True(bytes >= stored, $"the download restarted from {bytes} < {stored}"));
        var imported = await client.ShowAsync("big");
        Assert.Equal([(0, "ready", source.Sha256, source.Size)], imported!.Versions.Select(v => (v.Number, v.Status, v.Sha256, v.Size)));
    }

    [Fact]
    public async Task Sigterm_of_a_client_during_a_pull_stops_it_at_once_says_the_pass_was_interrupted_and_a_restart_completes_the_import()
    {
        await using var site = await Site.StartJoinedAsync(output);
        var (registry, publisher, client) = site;
        var source = (await publisher.CreateAndPublishAsync("big", Packages.Large(publisher, "big", PackageMebibytes))).Versions[0];
        Assert.Equal(1, (await publisher.SyncOkAsync()).Uploaded);

        var start = await client.AmcAsync("registry", "sync");
        Assert.True(start.ExitCode == 0, start.ToString());
        await Poll.UntilAsync(() => Task.FromResult(TransferProbes.LargestFile(client.DownloadsDirectory, KillAfterBytes)), Patience, $"the client to hold {KillAfterBytes} bytes of the download", 5);

        Assert.Equal(0, await client.StopAsync(TimeSpan.FromSeconds(10)));
        Assert.DoesNotContain("Unhandled exception", client.Log, StringComparison.Ordinal);
        Assert.DoesNotContain("fail:", client.Log, StringComparison.Ordinal);
        // The pass SIGTERM cut short says so; it does not claim "ok" with nothing moved.
        Assert.Matches(@"Sync pass \d+ \(pull\) failed: 0 uploaded, 0 downloaded, 0 deleted, 1 errors", client.Log);
        Assert.Contains("The pass was interrupted before it finished (the daemon is stopping", client.Log, StringComparison.Ordinal);

        await client.StartAsync();
        await client.SyncOkAsync();
        var imported = await client.ShowAsync("big");
        Assert.Equal([(0, "ready", source.Sha256, source.Size)], imported!.Versions.Select(v => (v.Number, v.Status, v.Sha256, v.Size)));
    }

    private static Regex ChunkBroke(string session) => new($@"Upload {session} chunk broke off at offset \d+");

    // The restarted registry continues from the hash state saved with the offset (no re-reading of the file).
    [GeneratedRegex(@"Upload ([0-9a-f]{32}) continues at offset (\d+) from its saved hash state")]
    private static partial Regex Resumed();
}
