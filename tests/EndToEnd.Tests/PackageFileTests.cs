using Xunit.Abstractions;

namespace EndToEnd.Tests;

/// <summary>
/// The real <c>ams</c> checks its ready versions against their package files when it starts: an imported one whose file
/// was damaged is fetched again by the pull it starts by itself; a local one whose file is lost says it cannot be.
/// </summary>
public sealed class PackageFileTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Patience = TimeSpan.FromMinutes(2);

    [Fact]
    public async Task After_a_restart_a_truncated_imported_package_is_fetched_again_and_a_lost_local_one_is_an_error()
    {
        await using var site = await Site.StartJoinedAsync(output);
        var (registry, publisher, client) = site;
        var source = (await publisher.CreateAndPublishAsync("game", Packages.Small(publisher, "game"))).Versions[0];
        Assert.Equal(1, (await publisher.SyncOkAsync()).Uploaded);
        Assert.Equal(1, (await client.SyncOkAsync()).Downloaded);
        var create = await client.AmcAsync("application", "create", Packages.Small(client, "mine"));
        Assert.True(create.ExitCode == 0, create.ToString());
        var mine = (await client.ShowAsync("mine"))!.Versions[0];

        Assert.Equal(0, await client.StopAsync(Patience));
        var imported = Path.Combine(client.DataDirectory, "packages", "sha256", source.Sha256);
        await using (var file = new FileStream(imported, FileMode.Open))
        {
            file.SetLength(file.Length / 2);
        }

        File.Delete(Path.Combine(client.DataDirectory, "packages", "sha256", mine.Sha256));
        await client.StartAsync();

        // The check runs before the daemon answers, so 'ready' here can only be the re-fetched package.
        var repaired = await Poll.UntilAsync(async () => await client.ShowAsync("game") is { Status: "ready" } shown ? shown : null, Patience, "the restarted client to fetch the package again");
        Assert.Equal((source.Sha256, source.Size), (repaired.Versions[0].Sha256, repaired.Versions[0].Size));
        Assert.Equal(source.Size, new FileInfo(imported).Length);
        Assert.Contains($"Application game version 0: its package file packages/sha256/{source.Sha256} had", client.Log, StringComparison.Ordinal);
        var lost = (await client.ShowAsync("mine"))!;
        Assert.Equal("error", lost.Status);
        Assert.Equal($"its package file packages/sha256/{mine.Sha256} was missing when the daemon started; it cannot be fetched again: delete this version and upload the package again", lost.Versions[0].ErrorMessage);
    }
}
