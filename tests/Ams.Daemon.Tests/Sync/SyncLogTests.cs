using Microsoft.Extensions.Logging;
using TestSupport;
using Xunit.Abstractions;

namespace Ams.Daemon.Tests.Sync;

/// <summary>At the default level, a sync pass is logged when it moved something or failed, not at every interval.</summary>
public sealed class SyncLogTests(ITestOutputHelper output)
{
    [Fact]
    public async Task A_pass_that_moved_nothing_writes_no_information_line_and_one_that_imported_does()
    {
        await using var rig = await SyncRig.StartAsync(output);
        var publisher = await rig.JoinAsync("publisher");
        var client = await rig.JoinAsync("client");

        var idle = await SyncRig.SyncAsync(client);
        await SyncRig.CreateAsync(publisher, "game");
        var pushed = await SyncRig.SyncAsync(publisher);
        var pushedAgain = await SyncRig.SyncAsync(publisher);
        var pulled = await SyncRig.SyncAsync(client);
        var pulledAgain = await SyncRig.SyncAsync(client);

        Assert.Equal((0, 1, 0, 1), (idle.Downloaded, pushed.Uploaded, pushedAgain.Uploaded, pulled.Downloaded));
        Assert.Equal("unchanged", pulledAgain.Result);
        Assert.Empty(PassLines(client, idle.Number));
        Assert.Empty(PassLines(client, pulledAgain.Number));
        Assert.Empty(PassLines(publisher, pushedAgain.Number));
        Assert.Equal([LogLevel.Information], PassLines(publisher, pushed.Number));
        Assert.Equal([LogLevel.Information], PassLines(client, pulled.Number));
    }

    private static List<LogLevel> PassLines(AmsTestDaemon daemon, long pass) =>
        [.. daemon.Logged.Where(e => e.Event == "SyncPassFinished" && e.Message.StartsWith($"Sync pass {pass} (", StringComparison.Ordinal)).Select(e => e.Level)];
}
