using System.Globalization;
using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using Aar.Protocol;
using Aar.Protocol.Chunking;
using Aar.Protocol.Management;
using TestSupport;
using Xunit.Abstractions;

namespace EndToEnd.Tests.Delta;

/// <summary>
/// A site for interrupting transfers by difference: a registry, a publisher and (optionally) a client, each AMS talking
/// to the registry through its own <see cref="TcpProxy"/>, to slow the link (so the interruption lands at a chosen
/// point of a transfer that takes seconds) and to cut it. Version 0 of <see cref="Name"/> is pushed, the registry has
/// recorded its chunks as delta sources, the client (if any) has pulled it; version 1 (<see cref="DeltaPackages"/>) is
/// created and published on the publisher, not pushed yet.
/// </summary>
internal sealed partial class DeltaSite : IAsyncDisposable
{
    public const string Name = "game";

    /// <summary>The slow link: a batch of 16 MiB of changed chunks takes about two seconds to cross it.</summary>
    public const long SlowLink = 8L << 20;

    public static readonly TimeSpan Patience = TimeSpan.FromMinutes(2);

    private readonly Site _site;
    private readonly ITestOutputHelper _output;

    private DeltaSite(Site site, ITestOutputHelper output, TcpProxy publisherLink, TcpProxy? clientLink)
    {
        (_site, _output, PublisherLink, ClientLink) = (site, output, publisherLink, clientLink);
    }

    public RegistryNode Registry => _site.Registry;

    public AmsNode Publisher => _site.Publisher;

    public AmsNode Client => _site.Client;

    public TcpProxy PublisherLink { get; }

    public TcpProxy? ClientLink { get; }

    /// <summary>Version 0 as the publisher created it.</summary>
    public ApplicationVersionInfo Old { get; private set; } = null!;

    /// <summary>Version 1's chunk index, computed here from the package file (its digest and length included).</summary>
    public ChunkIndex New { get; private set; } = null!;

    public static async Task<DeltaSite> StartAsync(ITestOutputHelper output, bool withClient)
    {
        var site = await Site.StartJoinedAsync(output, withClient);
        var publisherLink = new TcpProxy(new IPEndPoint(IPAddress.Loopback, site.Registry.Port));
        var clientLink = withClient ? new TcpProxy(new IPEndPoint(IPAddress.Loopback, site.Registry.Port)) : null;
        var delta = new DeltaSite(site, output, publisherLink, clientLink);
        try
        {
            await LinkAsync(site.Publisher, publisherLink);
            if (clientLink is not null)
            {
                await LinkAsync(site.Client, clientLink);
            }

            await delta.PrepareAsync(withClient);
            return delta;
        }
        catch
        {
            await delta.DisposeAsync();
            throw;
        }
    }

    /// <summary>The file a download by difference assembles version 1 in, and its record of the chunks written.</summary>
    public string DeltaFile => Path.Combine(Client.DownloadsDirectory, New.Digest.Hex + ".delta");

    public string DeltaRecord => DeltaFile + ".done";

    /// <summary>The number of chunks the download by difference has written and recorded as durable.</summary>
    public int RecordedChunks() => int.Parse(File.ReadAllText(DeltaRecord), NumberStyles.None, CultureInfo.InvariantCulture);

    /// <summary>The number of the last pass <paramref name="ams"/> finished (0 for none), before starting another.</summary>
    public static async Task<long> LastPassAsync(AmsNode ams) => (await ams.StatusAsync()).LastPass?.Number ?? 0;

    /// <summary>Starts a pass on <paramref name="ams"/> without waiting for it.</summary>
    public static async Task StartPassAsync(AmsNode ams)
    {
        var start = await ams.AmcAsync("registry", "sync");
        Assert.True(start.ExitCode == 0, start.ToString());
    }

    /// <summary>The report of the first pass after <paramref name="after"/> once it has ended.</summary>
    public static Task<SyncPassReport> PassAfterAsync(AmsNode ams, long after) =>
        Poll.UntilAsync(async () => await ams.StatusAsync() is { Running: false, LastPass: { } last } && last.Number > after ? last : null, Patience, $"pass {after + 1} of ams {ams.Name} to end");

    /// <summary>
    /// The report of the pass that pushed version 1: the first pass after <paramref name="after"/> if it did (it
    /// recovered by itself within the pass), or else (it gave up: the registry was away too long) the next one.
    /// </summary>
    public async Task<SyncPassReport> PushReportAsync(long after)
    {
        var report = await PassAfterAsync(Publisher, after);
        _output.WriteLine($"pass {report.Number}: {report.Result}, {report.Uploaded} uploaded, sent {report.UploadSentBytes}, saved {report.UploadSavedBytes}; {string.Join(" | ", report.Errors)}");
        if (report.Uploaded == 1)
        {
            return report;
        }

        report = await Publisher.SyncOkAsync();
        _output.WriteLine($"pass {report.Number}: {report.Result}, {report.Uploaded} uploaded, sent {report.UploadSentBytes}, saved {report.UploadSavedBytes}");
        return report;
    }

    /// <summary>
    /// Version 1 is on the registry with exactly its bytes, in the one upload session <paramref name="session"/> that
    /// the interrupted push started, and the pass that completed it went by difference (copies, and only the changed
    /// entries sent); no session is left behind and nothing else appeared.
    /// </summary>
    public async Task AssertPushedByDifferenceAsync(SyncPassReport report, string session)
    {
        Assert.Equal(1, report.Uploaded);
        Assert.True(report.UploadSavedBytes > 0, $"the pass that completed the push copied nothing on the registry (sent {report.UploadSentBytes})");
        Assert.InRange(report.UploadSentBytes ?? 0, 0, 2 * DeltaPackages.ChangedBytes);
        var show = await Registry.AarAsync("application", "show", Name, "--format", "json");
        Assert.True(show.ExitCode == 0, show.ToString());
        var versions = Assert.Single(JsonSerializer.Deserialize(show.Out, ProtocolJsonContext.Default.ListApplicationRecord)!).Versions;
        Assert.Equal([(0, $"sha256:{Old.Sha256}", Old.Size), (1, New.Digest.ToString(), New.Length)], versions.Select(v => (v.Version, v.Digest, v.Size)));
        // Version 0's session, then version 1's two (the package's, and the one carrying its changed entries, sent
        // first as one blob): the interruption did not make the publisher start another, and the interrupted one
        // (the pieces') was continued to its end.
        var started = TransferProbes.UploadStarted().Matches(Registry.Log).Select(m => m.Groups[1].Value).ToList();
        Assert.Equal(3, started.Count);
        Assert.Equal(session, started[2]);
        Assert.Contains($"Upload {session} completed as sha256:", Registry.Log, StringComparison.Ordinal);
        Assert.Contains($"Upload {started[1]} completed as {New.Digest} ({New.Length} bytes)", Registry.Log, StringComparison.Ordinal);
        Assert.Empty(Directory.EnumerateFiles(Registry.UploadsDirectory));
    }

    /// <summary>
    /// Version 1 is ready on the client with exactly its bytes, assembled by difference, and the download that
    /// completed it resumed after the <paramref name="recorded"/> chunks recorded before the interruption: it wrote
    /// (fetched or copied) only the rest. Nothing is left in the downloads directory.
    /// </summary>
    public async Task AssertPulledByDifferenceAsync(int recorded)
    {
        var shown = await Client.ShowAsync(Name);
        Assert.Equal([(0, "ready", Old.Sha256, Old.Size), (1, "ready", New.Digest.Hex, New.Length)], shown!.Versions.Select(v => (v.Number, v.Status, v.Sha256, v.Size)));
        Assert.Equal(New.Digest.Hex, await DeltaPackages.Sha256Async(Path.Combine(Client.DataDirectory, "packages", "sha256", New.Digest.Hex)));
        var delta = (await Client.StatusAsync()).LastDelta;
        Assert.NotNull(delta);
        _output.WriteLine($"resumed after {recorded} of {New.Count} chunks ({New.OffsetOf(recorded)} bytes): fetched {delta.Fetched}, reused {delta.Reused}");
        Assert.Equal((Name, 1), (delta.Application, delta.Version));
        Assert.InRange(recorded, 1, New.Count - 1);
        Assert.Equal(New.Length - New.OffsetOf(recorded), delta.Fetched + delta.Reused);
        Assert.True(delta.Fetched > 0 && delta.Reused > 0, $"fetched {delta.Fetched}, reused {delta.Reused}");
        Assert.Empty(Directory.EnumerateFiles(Client.DownloadsDirectory));
    }

    /// <summary>What <paramref name="ams"/> shows at any moment: version 0, and version 1 only when ready and whole.</summary>
    public async Task<ApplicationInfo?> ShowNeverHalfAsync(AmsNode ams)
    {
        var shown = await ams.ShowAsync(Name);
        Assert.NotNull(shown);
        Assert.All(shown.Versions, v => Assert.Contains((v.Number, v.Status, v.Sha256, v.Size), new[] { (0, "ready", Old.Sha256, Old.Size), (1, "ready", New.Digest.Hex, New.Length) }));
        return shown.Versions.Count == 2 ? shown : null;
    }

    // The restarted registry continues from the hash state saved with the offset (no re-reading of the file).
    [GeneratedRegex(@"Upload ([0-9a-f]{32}) continues at offset (\d+) from its saved hash state")]
    public static partial Regex Resumed();

    public async ValueTask DisposeAsync()
    {
        await _site.DisposeAsync();
        PublisherLink.Dispose();
        ClientLink?.Dispose();
    }

    /// <summary>Points <paramref name="ams"/> at its proxy in front of the registry (the same server, another port).</summary>
    private static async Task LinkAsync(AmsNode ams, TcpProxy proxy)
    {
        var set = await ams.AmcAsync("config", "set", "registry.url", $"https://127.0.0.1:{proxy.Port}");
        Assert.True(set.ExitCode == 0, set.ToString());
    }

    private async Task PrepareAsync(bool withClient)
    {
        Old = (await Publisher.CreateAndPublishAsync(Name, DeltaPackages.Write(Publisher, Name, 0))).Versions[0];
        Assert.Equal(1, (await Publisher.SyncOkAsync()).Uploaded);
        // The registry records a new blob's chunks in the background; before that a push would go whole.
        var recorded = $" chunks of blob sha256:{Old.Sha256} as delta sources";
        await Poll.UntilAsync(() => Task.FromResult(Registry.Log.Contains(recorded, StringComparison.Ordinal) ? recorded : null), Patience, "the registry to record version 0's chunks");
        if (withClient)
        {
            Assert.Equal(1, (await Client.SyncOkAsync()).Downloaded);
        }

        var package = DeltaPackages.Write(Publisher, Name, 1);
        New = await DeltaPackages.IndexAsync(package);
        var update = await Publisher.AmcAsync("application", "update", Name, package);
        Assert.True(update.ExitCode == 0, update.ToString());
        var publish = await Publisher.AmcAsync("application", "publish", Name, "1");
        Assert.True(publish.ExitCode == 0, publish.ToString());
        var created = (await Publisher.ShowAsync(Name))!.Versions.Single(v => v.Number == 1);
        Assert.Equal((New.Digest.Hex, New.Length), (created.Sha256, created.Size));
        _output.WriteLine($"version 0: {Old.Size} bytes; version 1: {New.Length} bytes in {New.Count} chunks, {DeltaPackages.ChangedBytes} bytes of entries changed");
    }
}
