using System.Net;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using System.Text.RegularExpressions;
using Aar.Protocol;
using TestSupport;
using Xunit.Abstractions;

namespace EndToEnd.Tests.ScaleOut;

/// <summary>
/// Two <c>aar serve</c> processes, one registry: shared PostgreSQL + S3 (radosgw), the same server certificate, HAProxy
/// in TCP pass-through in front. What one node writes, the other serves; what one node's operator revokes, the other
/// refuses on its very next request; an upload cut by the death of its node is finished by the other.
/// </summary>
public sealed partial class ScaleOutTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Patience = TimeSpan.FromMinutes(2);

    [ScaleOutFact]
    public async Task Published_through_node_A_pulled_through_node_B_and_revoked_through_B_is_refused_by_A_at_once()
    {
        await using var cluster = await Cluster.StartAsync(output, nodes: 2);
        var (a, b) = (cluster.Nodes[0], cluster.Nodes[1]);
        await using var site = new Site(output);
        var publisher = await site.StartAmsAsync("pub");
        var client = await site.StartAmsAsync("cli");
        // The publisher enrols at node A with a token made there; the client at node B with a token made on B.
        await JoinAsync(a, a, publisher, "publisher");
        await JoinAsync(b, b, client, "client");
        var source = (await publisher.CreateAndPublishAsync("game", Packages.Small(publisher, "game"))).Versions[0];
        Assert.Equal(1, (await publisher.SyncOkAsync()).Uploaded);

        // Node B's operator sees what went in through node A, and the client pulls it through node B.
        var listed = await b.AarAsync("application", "show", "game", "--format", "json");
        Assert.True(listed.ExitCode == 0, listed.ToString());
        var stored = Assert.Single(Assert.Single(JsonSerializer.Deserialize(listed.Out, ProtocolJsonContext.Default.ListApplicationRecord)!).Versions);
        Assert.Equal($"sha256:{source.Sha256}", stored.Digest);
        Assert.Equal(1, (await client.SyncOkAsync()).Downloaded);
        var imported = await client.ShowAsync("game");
        Assert.Equal([(0, "ready", source.Sha256)], imported!.Versions.Select(v => (v.Number, v.Status, v.Sha256)));

        // The client's certificate on a connection already open to node A ...
        using var certificate = X509Certificate2.CreateFromPemFile(client.ClientCertificate, Path.ChangeExtension(client.ClientCertificate, ".key"));
        using var toA = new MtlsClient(new Uri(a.Url), Certificates.FingerprintOf(a.ServerCertificate), certificate);
        Assert.Equal(HttpStatusCode.OK, (await toA.Http.GetAsync(new Uri("/1.0/applications", UriKind.Relative))).StatusCode);

        // ... is refused there on the very next request once node B's operator revokes it.
        var fingerprint = Certificates.FingerprintOf(client.ClientCertificate);
        var revoke = await b.AarAsync("trust", "revoke", fingerprint, "--yes");
        Assert.True(revoke.ExitCode == 0, revoke.ToString());
        using var refused = await toA.Http.GetAsync(new Uri("/1.0/applications", UriKind.Relative));

        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        Assert.Contains("revoked", await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(1, toA.Connections);
    }

    [ScaleOutFact]
    public async Task Kill_9_of_the_node_receiving_an_upload_and_the_publisher_finishes_the_same_upload_through_the_other_node()
    {
        await using var cluster = await Cluster.StartAsync(output, nodes: 2);
        var (a, b) = (cluster.Nodes[0], cluster.Nodes[1]);
        // "first": every connection goes to node A while it lives, so the test knows who holds the upload.
        var balancer = await cluster.StartBalancerAsync("first");
        await using var site = new Site(output);
        var publisher = await site.StartAmsAsync("pub");
        var client = await site.StartAmsAsync("cli");
        // Tokens made on node B, naming the balancer's address, consumed (through the balancer) on node A.
        await JoinAsync(b, balancer, publisher, "publisher");
        await JoinAsync(b, balancer, client, "client");
        var source = (await publisher.CreateAndPublishAsync("big", Packages.Large(publisher, "big", 300))).Versions[0];

        var start = await publisher.AmcAsync("registry", "sync");
        Assert.True(start.ExitCode == 0, start.ToString());
        await Poll.UntilAsync(async () => (await publisher.StatusAsync()).Transfers.FirstOrDefault(t => t.Direction == "upload" && t.Bytes >= 100L << 20), Patience, "the upload to pass 100 MiB", 10);
        await a.KillAsync();
        output.WriteLine("node A killed mid-upload");

        // The same pass (its retries) or the next one goes through the balancer to node B and continues the session.
        var done = await Poll.UntilAsync(async () => await publisher.StatusAsync() is { Running: false, LastPass: { } last } ? last : null, Patience, "the pass to end");
        if (done.Result != "ok")
        {
            output.WriteLine($"the interrupted pass said: {string.Join(" | ", done.Errors)}; syncing again");
            await publisher.SyncOkAsync();
        }

        var show = await b.AarAsync("application", "show", "big", "--format", "json");
        Assert.True(show.ExitCode == 0, show.ToString());
        var version = Assert.Single(Assert.Single(JsonSerializer.Deserialize(show.Out, ProtocolJsonContext.Default.ListApplicationRecord)!).Versions);
        Assert.Equal(($"sha256:{source.Sha256}", source.Size), (version.Digest, version.Size));
        // Resumed, not restarted: node A opened the one session, node B completed it and opened none.
        var session = TransferProbes.UploadStarted().Match(a.Log).Groups[1].Value;
        Assert.NotEmpty(session);
        Assert.DoesNotMatch(TransferProbes.UploadStarted(), b.Log);
        Assert.Contains($"Upload {session} completed as sha256:{source.Sha256} ({source.Size} bytes)", b.Log, StringComparison.Ordinal);

        // And a client behind the same balancer (now node B) gets it whole.
        Assert.Equal(1, (await client.SyncOkAsync()).Downloaded);
        var imported = await client.ShowAsync("big");
        Assert.Equal([(0, "ready", source.Sha256)], imported!.Versions.Select(v => (v.Number, v.Status, v.Sha256)));
    }

    [ScaleOutFact]
    public async Task An_embedded_registry_moved_with_aar_migrate_keeps_serving_its_AMS_from_two_nodes()
    {
        await using var site = await Site.StartJoinedAsync(output);
        var (registry, publisher, client) = site;
        var source = (await publisher.CreateAndPublishAsync("game", Packages.Small(publisher, "game"))).Versions[0];
        Assert.Equal(1, (await publisher.SyncOkAsync()).Uploaded);
        Assert.Equal(0, await registry.StopAsync(TimeSpan.FromSeconds(15)));
        await using var cluster = await Cluster.StartAsync(output, nodes: 0);

        var migrate = await registry.AarWithAsync(cluster.ServeEnvironment, ["migrate", .. cluster.ServeArguments]);

        Assert.True(migrate.ExitCode == 0, migrate.ToString());
        Assert.StartsWith("Migrated: 2 trusted certificates, 0 revoked certificates, 0 join tokens, 1 application, 1 version, 0 deletion records, generation ", migrate.Out, StringComparison.Ordinal);
        Assert.Contains("1 blob copied to S3 and verified", migrate.Out, StringComparison.Ordinal);
        Assert.Contains($"[1/1] sha256:{source.Sha256} (", migrate.Error, StringComparison.Ordinal);

        // The registry comes back on the shared backends (same address, same certificate), and a second node joins it.
        await cluster.AdoptAsync(registry);
        var b = await cluster.AddNodeAsync();
        Assert.Equal(Certificates.FingerprintOf(registry.ServerCertificate), Certificates.FingerprintOf(b.ServerCertificate));
        var moved = await client.AmcAsync("config", "set", "registry.url", b.Url);
        Assert.True(moved.ExitCode == 0, moved.ToString());
        // (Changing registry.url starts a pass by itself; this one waits for a pass to have run after the change.)
        await client.SyncOkAsync();
        var imported = await client.ShowAsync("game");
        Assert.Equal([(0, "ready", source.Sha256)], imported!.Versions.Select(v => (v.Number, v.Status, v.Sha256)));
        // The publisher, unchanged, still owns its application through the migrated trust store.
        var update = await publisher.AmcAsync("application", "update", "game", Packages.Small(publisher, "game", "v1"));
        var publish = await publisher.AmcAsync("application", "publish", "game", "1");
        Assert.True(update.ExitCode == 0 && publish.ExitCode == 0, update + "\n" + publish);
        Assert.Equal(1, (await publisher.SyncOkAsync()).Uploaded);

        // Migrating again into the now-used database is refused, and changes nothing.
        await registry.StopAsync(TimeSpan.FromSeconds(15));
        var again = await registry.AarWithAsync(cluster.ServeEnvironment, ["migrate", .. cluster.ServeArguments]);
        Assert.Equal(Aar.Cli.Common.ExitCodes.Conflict, again.ExitCode);
        Assert.Contains("The target database already holds a registry", again.Error, StringComparison.Ordinal);
    }

    [ScaleOutFact]
    public async Task A_node_that_loses_its_database_fails_readyz_and_HAProxy_sends_the_fleet_to_the_other_node_until_it_is_back()
    {
        await using var cluster = await Cluster.StartAsync(output, nodes: 0);
        var a = await cluster.AddNodeAsync(ownDatabaseProxy: true);
        var b = await cluster.AddNodeAsync();
        // "first": every connection goes to node A while HAProxy counts it in, so the test knows who serves.
        var balancer = await cluster.StartBalancerAsync("first");
        await using var site = new Site(output);
        var publisher = await site.StartAmsAsync("pub");
        var client = await site.StartAmsAsync("cli");
        await JoinAsync(b, balancer, publisher, "publisher");
        await JoinAsync(b, balancer, client, "client");
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        Assert.Equal(HttpStatusCode.OK, await ReadinessAsync(http, a));

        // Node A's process lives on, but its database is gone: it must not be sent any more requests.
        cluster.DatabaseProxy.Stop();
        await Poll.UntilAsync(async () => await ReadinessAsync(http, a) == HttpStatusCode.ServiceUnavailable ? "503" : null, Patience, "node A's /readyz to answer 503");
        await Poll.UntilAsync(() => Task.FromResult(ServerDown().IsMatch(balancer.Log) ? "down" : null), Patience, "HAProxy to take node A out of rotation");
        output.WriteLine("node A lost its database and HAProxy took it out");

        // The fleet goes on through the balancer, now to node B only: a publish and a pull both work.
        var source = (await publisher.CreateAndPublishAsync("game", Packages.Small(publisher, "game"))).Versions[0];
        Assert.Equal(1, (await publisher.SyncOkAsync()).Uploaded);
        Assert.Equal(1, (await client.SyncOkAsync()).Downloaded);
        var imported = await client.ShowAsync("game");
        Assert.Equal([(0, "ready", source.Sha256)], imported!.Versions.Select(v => (v.Number, v.Status, v.Sha256)));
        Assert.Matches(TransferProbes.UploadStarted(), b.Log);
        Assert.DoesNotMatch(TransferProbes.UploadStarted(), a.Log);

        // The database comes back: so does node A, without a restart.
        cluster.DatabaseProxy.Start();
        await Poll.UntilAsync(async () => await ReadinessAsync(http, a) == HttpStatusCode.OK ? "200" : null, Patience, "node A's /readyz to answer 200 again");
        await Poll.UntilAsync(() => Task.FromResult(ServerUp().IsMatch(balancer.Log) ? "up" : null), Patience, "HAProxy to take node A back");
    }

    private static async Task<HttpStatusCode> ReadinessAsync(HttpClient http, RegistryNode node)
    {
        using var response = await http.GetAsync(new Uri($"{node.MetricsUrl}/readyz"));
        return response.StatusCode;
    }

    /// <summary><c>aar trust token create --address &lt;where&gt;</c> on <paramref name="tokenNode"/>, then <c>amc registry join</c>.</summary>
    private static async Task JoinAsync(RegistryNode tokenNode, object where, AmsNode ams, string role)
    {
        var (address, url) = where switch
        {
            RegistryNode node => ($"127.0.0.1:{node.Port}", node.Url),
            LoadBalancer balancer => ($"127.0.0.1:{balancer.Port}", balancer.Url),
            _ => throw new ArgumentException("A node or the balancer", nameof(where)),
        };
        string[] args = role == "publisher" ? ["trust", "token", "create", "--publisher", "--address", address] : ["trust", "token", "create", "--address", address];
        var token = await tokenNode.AarAsync(args);
        Assert.True(token.ExitCode == 0, token.ToString());
        var join = await ams.AmcAsync("registry", "join", token.Out.Trim());
        Assert.True(join.ExitCode == 0, join.ToString());
        Assert.StartsWith($"Joined the registry at {url} as {role} ", join.Out, StringComparison.Ordinal);
    }

    [GeneratedRegex(@"Server nodes/node0 is DOWN")]
    private static partial Regex ServerDown();

    [GeneratedRegex(@"Server nodes/node0 is UP")]
    private static partial Regex ServerUp();
}
