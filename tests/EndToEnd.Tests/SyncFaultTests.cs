using System.Text.Json;
using Aar.Cli.Common;
using Aar.Protocol;
using Xunit.Abstractions;

namespace EndToEnd.Tests;

/// <summary>What operators meet after the flow works: revocation, deletion, and a second publisher on a taken name.</summary>
public sealed class SyncFaultTests(ITestOutputHelper output)
{
    [Fact]
    public async Task A_revoked_client_is_refused_in_words_and_keeps_everything_it_imported()
    {
        await using var site = await Site.StartJoinedAsync(output);
        var (registry, publisher, client) = site;
        var source = await publisher.CreateAndPublishAsync("game", Packages.Small(publisher, "game"));
        await publisher.SyncOkAsync();
        await client.SyncOkAsync();
        Assert.Equal("ready", (await client.ShowAsync("game"))?.Status);
        var clientFingerprint = Certificates.FingerprintOf(client.ClientCertificate);

        // The seed's `aar trust revoke <fingerprint>`, with the fingerprint as `aar trust list` shows it, answering its question.
        var table = await registry.AarAsync("trust", "list");
        var shown = Assert.Single(table.Out.Split('\n'), line => line.Contains("| client ", StringComparison.Ordinal)).Split('|', StringSplitOptions.TrimEntries)[2];
        var revoke = await registry.AnswerAsync("y\n", "trust", "revoke", shown);
        Assert.True(revoke.ExitCode == 0, revoke.ToString());
        Assert.StartsWith($"Revoke certificate {clientFingerprint} (", revoke.Error, StringComparison.Ordinal);
        Assert.StartsWith($"Revoked certificate {clientFingerprint};", revoke.Out, StringComparison.Ordinal);
        // The publisher moves on meanwhile: a new version the revoked client must not get.
        var update = await publisher.AmcAsync("application", "update", "game", Packages.Small(publisher, "game", "v1"));
        var publish = await publisher.AmcAsync("application", "publish", "game", "1");
        Assert.True(update.ExitCode == 0 && publish.ExitCode == 0, update + "\n" + publish);
        await publisher.SyncOkAsync();

        var (refused, report) = await client.SyncAsync();

        Assert.Equal(ExitCodes.Conflict, refused.ExitCode);
        Assert.Equal("failed", report.Result);
        var error = Assert.Single(report.Errors);
        Assert.StartsWith($"The registry refused this AMS: Certificate {clientFingerprint} has been revoked", error, StringComparison.Ordinal);
        var kept = await client.ShowAsync("game");
        Assert.NotNull(kept);
        Assert.Equal([(0, "ready", source.Versions[0].Sha256)], kept.Versions.Select(v => (v.Number, v.Status, v.Sha256)));
        Assert.True(kept.Immutable);

        // The seed: "you cannot reverse a revocation or add the certificate again".
        Site.Copy(client.ClientCertificate, registry.Home, "client.crt");
        var again = await registry.AarAsync("trust", "add", "client.crt");
        Assert.Equal(ExitCodes.Conflict, again.ExitCode);
        Assert.Contains("revoked", again.Error, StringComparison.Ordinal);
        var revoked = await registry.AarAsync("trust", "list", "--revoked", "--format", "json");
        Assert.Equal([clientFingerprint], JsonDocument.Parse(revoked.Out).RootElement.EnumerateArray().Select(e => e.GetProperty("fingerprint").GetString()));
        Assert.Equal(report.Errors, (await client.StatusAsync()).LastPass!.Errors);
    }

    [Fact]
    public async Task Deleting_an_application_on_the_publisher_removes_it_from_the_registry_and_then_from_the_client()
    {
        await using var site = await Site.StartJoinedAsync(output);
        var (registry, publisher, client) = site;
        await publisher.CreateAndPublishAsync("game", Packages.Small(publisher, "game"));
        await publisher.CreateAndPublishAsync("keep", Packages.Small(publisher, "keep"));
        await publisher.SyncOkAsync();
        await client.SyncOkAsync();
        Assert.NotNull(await client.ShowAsync("game"));

        var delete = await publisher.AmcAsync("application", "delete", "game", "--yes");
        Assert.True(delete.ExitCode == 0, delete.ToString());
        var pushed = await publisher.SyncOkAsync();

        Assert.Equal(1, pushed.Deleted);
        Assert.Equal(["keep"], await RegistryApplicationsAsync(registry));
        var gone = await registry.AarAsync("application", "show", "game");
        Assert.Equal(ExitCodes.NotFound, gone.ExitCode);
        Assert.NotNull(await client.ShowAsync("game"));

        var pulled = await client.SyncOkAsync();

        Assert.Equal(1, pulled.Deleted);
        Assert.Null(await client.ShowAsync("game"));
        Assert.Equal("ready", (await client.ShowAsync("keep"))?.Status);
    }

    [Fact]
    public async Task A_second_publisher_cannot_take_over_an_application_name_and_the_registry_keeps_the_first()
    {
        await using var site = new Site(output);
        var registry = await site.StartRegistryAsync();
        var first = await site.StartAmsAsync("pub1");
        var second = await site.StartAmsAsync("pub2");
        await Site.JoinAsync(registry, first, "publisher");
        await Site.JoinAsync(registry, second, "publisher");
        var original = await first.CreateAndPublishAsync("game", Packages.Small(first, "game", "first"));
        await first.SyncOkAsync();
        await second.CreateAndPublishAsync("game", Packages.Small(second, "game", "second"));
        var owner = Certificates.FingerprintOf(first.ClientCertificate);

        var (result, report) = await second.SyncAsync();

        Assert.Equal(ExitCodes.Conflict, result.ExitCode);
        Assert.Equal("partial", report.Result);
        var conflict = Assert.Single(report.Conflicts);
        Assert.StartsWith($"'game' (amd64) on the registry belongs to publisher {owner[..12]}", conflict, StringComparison.Ordinal);
        var show = await registry.AarAsync("application", "show", "game", "--format", "json");
        Assert.True(show.ExitCode == 0, show.ToString());
        var record = Assert.Single(JsonSerializer.Deserialize(show.Out, ProtocolJsonContext.Default.ListApplicationRecord)!);
        Assert.Equal(owner, record.Owner);
        Assert.Equal([(0, $"sha256:{original.Versions[0].Sha256}", owner)], record.Versions.Select(v => (v.Version, v.Digest, v.Publisher)));
    }

    [Fact]
    public async Task A_publisher_joining_a_registry_that_already_has_applications_imports_none_of_them()
    {
        await using var site = new Site(output);
        var registry = await site.StartRegistryAsync();
        var first = await site.StartAmsAsync("pub1");
        await Site.JoinAsync(registry, first, "publisher");
        await first.CreateAndPublishAsync("game", Packages.Small(first, "game"));
        await first.SyncOkAsync();
        var second = await site.StartAmsAsync("pub2");

        await Site.JoinAsync(registry, second, "publisher");

        // The passes the join starts by itself run as a publisher (push), never as a client.
        var settled = await Poll.UntilAsync(async () => await second.StatusAsync() is { Running: false, LastPass: { Mode: "push" } last } ? last : null, TimeSpan.FromMinutes(1), "the join's passes to end");
        Assert.Equal("ok", settled.Result);
        Assert.DoesNotMatch(@"Sync pass \d+ \(pull\)", second.Log);
        Assert.Null(await second.ShowAsync("game"));
    }

    private static async Task<List<string>> RegistryApplicationsAsync(RegistryNode registry)
    {
        var list = await registry.AarAsync("application", "list", "--format", "json");
        Assert.True(list.ExitCode == 0, list.ToString());
        return JsonSerializer.Deserialize(list.Out, ProtocolJsonContext.Default.ApplicationListing)!.Applications.Select(a => a.Name).ToList();
    }
}
