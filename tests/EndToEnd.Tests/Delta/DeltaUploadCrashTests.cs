using System.Globalization;
using Xunit.Abstractions;

namespace EndToEnd.Tests.Delta;

/// <summary>
/// A push by difference (version 1: the publisher sends the changed entries over a slow link, first, as one blob, then
/// the registry assembles version 1 by copies from version 0 and that blob) interrupted in the middle of sending, by
/// kill -9 of the registry or of the publisher or by a cut connection: the push continues the same upload sessions,
/// still by difference, and the registry ends with exactly version 1's bytes, never showing part of it.
/// </summary>
public sealed class DeltaUploadCrashTests(ITestOutputHelper output)
{
    /// <summary>Half of the changed entries (24 MiB), which travel first: the interruption comes while they are sent.</summary>
    private const long InterruptAfterBytes = 12L << 20;

    [Fact]
    public async Task Kill_9_of_the_registry_in_the_middle_of_a_delta_upload_then_a_restart_continues_the_session_by_difference()
    {
        await using var site = await DeltaSite.StartAsync(output, withClient: false);
        var (session, before) = await StartSlowPushAsync(site);

        await site.Registry.KillAsync();
        var stored = AssertInterrupted(site, session);
        await site.Registry.StartAsync();
        var report = await site.PushReportAsync(before);

        await site.AssertPushedByDifferenceAsync(report, session);
        // The restarted registry continued the session from the offset and hash state it had saved.
        var resumed = DeltaSite.Resumed().Match(site.Registry.CurrentLog);
        Assert.True(resumed.Success, site.Registry.CurrentLog);
        Assert.Equal(session, resumed.Groups[1].Value);
        Assert.InRange(long.Parse(resumed.Groups[2].Value, CultureInfo.InvariantCulture), 1, stored);
    }

    [Fact]
    public async Task Kill_9_of_the_publisher_in_the_middle_of_a_delta_upload_then_a_restart_continues_the_session_by_difference()
    {
        await using var site = await DeltaSite.StartAsync(output, withClient: false);
        var (session, _) = await StartSlowPushAsync(site);

        await site.Publisher.KillAsync();
        AssertInterrupted(site, session);
        // The restarted publisher starts a pass by itself (its first: number 1).
        await site.Publisher.StartAsync();
        var report = await site.PushReportAsync(0);

        await site.AssertPushedByDifferenceAsync(report, session);
    }

    [Fact]
    public async Task A_connection_cut_in_the_middle_of_a_delta_upload_is_recovered_in_the_same_session_by_difference()
    {
        await using var site = await DeltaSite.StartAsync(output, withClient: false);
        var (session, before) = await StartSlowPushAsync(site);

        site.PublisherLink.Stop();
        AssertInterrupted(site, session);
        site.PublisherLink.Start();
        var report = await site.PushReportAsync(before);

        await site.AssertPushedByDifferenceAsync(report, session);
    }

    /// <summary>
    /// Starts pushing version 1 over the slow link; returns its upload session and the publisher's last pass before,
    /// once the registry holds <see cref="InterruptAfterBytes"/> of it.
    /// </summary>
    private static async Task<(string Session, long Before)> StartSlowPushAsync(DeltaSite site)
    {
        var before = await DeltaSite.LastPassAsync(site.Publisher);
        site.PublisherLink.BytesPerSecond = DeltaSite.SlowLink;
        await DeltaSite.StartPassAsync(site.Publisher);
        var partial = await Poll.UntilAsync(() => Task.FromResult(TransferProbes.LargestFile(site.Registry.UploadsDirectory, InterruptAfterBytes)), DeltaSite.Patience, $"the registry to hold {InterruptAfterBytes} bytes of version 1", everyMilliseconds: 5);
        return (partial.Name, before);
    }

    /// <summary>The interruption came in the middle: part of version 1 is stored, the session is not complete. Returns the bytes stored.</summary>
    private long AssertInterrupted(DeltaSite site, string session)
    {
        var stored = new FileInfo(Path.Combine(site.Registry.UploadsDirectory, session)).Length;
        output.WriteLine($"interrupted with {stored} of {site.New.Length} bytes of version 1 stored in session {session}");
        Assert.InRange(stored, InterruptAfterBytes, DeltaPackages.ChangedBytes - 1);
        Assert.DoesNotContain($"Upload {session} completed", site.Registry.Log, StringComparison.Ordinal);
        return stored;
    }
}
