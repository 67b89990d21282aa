using Xunit.Abstractions;

namespace EndToEnd.Tests.Delta;

/// <summary>
/// A download by difference (version 1 assembled from the client's version 0 plus the changed chunks, over a slow
/// link) interrupted in the middle, by kill -9 of the client or by a cut connection: the next pass resumes it after the
/// last batch it recorded, not from the start, and the version ends ready with exactly its bytes.
/// </summary>
public sealed class DeltaDownloadCrashTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Kill_9_of_the_client_in_the_middle_of_a_delta_download_then_a_restart_resumes_it_and_imports_the_exact_bytes()
    {
        await using var site = await DeltaSite.StartAsync(output, withClient: true);
        await StartSlowPullAsync(site);

        await site.Client.KillAsync();
        var recorded = site.RecordedChunks();
        Assert.True(File.Exists(site.DeltaFile), "the assembled part of version 1 is gone");
        output.WriteLine($"killed ams with {recorded} of {site.New.Count} chunks of version 1 recorded");

        // The restarted daemon starts a pass by itself; version 1 is never seen half there.
        await site.Client.StartAsync();
        await Poll.UntilAsync(() => site.ShowNeverHalfAsync(site.Client), DeltaSite.Patience, "the restarted client to import version 1");
        Assert.Equal(1, (await DeltaSite.PassAfterAsync(site.Client, 0)).Downloaded);

        await site.AssertPulledByDifferenceAsync(recorded);
    }

    [Fact]
    public async Task A_connection_cut_in_the_middle_of_a_delta_download_fails_that_pass_and_the_next_resumes_it_with_the_exact_bytes()
    {
        await using var site = await DeltaSite.StartAsync(output, withClient: true);
        var before = await StartSlowPullAsync(site);

        site.ClientLink!.Stop();
        site.ClientLink.Start();
        var broken = await DeltaSite.PassAfterAsync(site.Client, before);
        output.WriteLine($"the cut pass said: {string.Join(" | ", broken.Errors)}");
        Assert.NotEqual("ok", broken.Result);
        Assert.Equal(0, broken.Downloaded);
        Assert.NotEmpty(broken.Errors);
        var recorded = site.RecordedChunks();
        Assert.Null(await site.ShowNeverHalfAsync(site.Client));

        Assert.Equal(1, (await site.Client.SyncOkAsync()).Downloaded);

        await site.AssertPulledByDifferenceAsync(recorded);
    }

    /// <summary>
    /// The publisher pushes version 1; the client starts pulling it over the slow link. Returns, with the number of
    /// the client's last pass before, once the download by difference has recorded its first batch (so there is
    /// something to resume) and is fetching the next.
    /// </summary>
    private static async Task<long> StartSlowPullAsync(DeltaSite site)
    {
        Assert.Equal(1, (await site.Publisher.SyncOkAsync()).Uploaded);
        var before = await DeltaSite.LastPassAsync(site.Client);
        site.ClientLink!.BytesPerSecond = DeltaSite.SlowLink;
        await DeltaSite.StartPassAsync(site.Client);
        await Poll.UntilAsync(() => Task.FromResult(File.Exists(site.DeltaRecord) ? site.DeltaRecord : null), DeltaSite.Patience, "the download by difference to record its first batch", everyMilliseconds: 5);
        // While it runs, the transfer row says how much of it came from the package the client already held.
        var transfer = Assert.Single((await site.Client.StatusAsync()).Transfers);
        Assert.Equal(("download", 1), (transfer.Direction, transfer.Version));
        Assert.True(transfer.SavedBytes > 0, $"the transfer row shows no bytes taken from version 0 ({transfer.Bytes} of {transfer.Total} assembled)");
        return before;
    }
}
