using Aar.Protocol.Enrolment;
using Aar.Protocol.Certificates;
using Aar.Protocol.Registry;
using Aar.Server.Data;
using Aar.Server.Migration;
using Aar.Server.Storage;
using TestSupport;
using Xunit.Abstractions;

namespace Aar.Server.Tests.Migration;

/// <summary>
/// The migration's copy and checks, from one embedded registry into the stores of another: a registry started on the
/// target has the same trust, tokens, versions, deletions and generation, and serves the same bytes.
/// </summary>
public sealed class MigrationTests(ITestOutputHelper output)
{
    [Fact]
    [Trait("Backend", "Embedded")]
    public async Task A_registry_started_on_the_migrated_stores_has_everything_and_serves_the_same_bytes()
    {
        using var target = new TempDirectory("aar-target");
        var (publisher, source, expected) = await PopulatedRegistryAsync();
        using (publisher)
        {
            var report = await Migrator(source.DataDirectory, target.Path).RunAsync(null, CancellationToken.None);

            Assert.Equal((2, 0, 2L * 300_000), (report.BlobsCopied, report.BlobsAlreadyThere, report.Bytes));
            Assert.Equal(expected.Generation, report.Generation);
            Assert.Equal(2, report.Rows["versions"]);
            Assert.Equal(1, report.Rows["deletions"]);

            await using var migrated = await RegistryTestServer.StartAsync(output, target.Path);
            using var admin = migrated.Admin();
            var listing = (await admin.ListApplicationsAsync()).Value!;
            Assert.Equal(expected.Generation, listing.Generation);
            Assert.Equal(
                expected.Applications.SelectMany(a => a.Versions).Select(v => (v.Digest, v.Size, v.Generation)),
                listing.Applications.SelectMany(a => a.Versions).Select(v => (v.Digest, v.Size, v.Generation)));
            Assert.Equal(2, (await admin.ListTrustedAsync()).Value!.Count);
            Assert.Single((await admin.ListRevokedAsync()).Value!);
            Assert.Single((await admin.ListTokensAsync()).Value!);
            Assert.True(Fingerprint.TryParse(migrated.ServerFingerprint, out var pin));
            using var client = RegistryClient.Create(migrated.Address, publisher, pin);
            var deletions = (await client.GetDeletionsAsync(0)).Value!;
            Assert.Single(deletions.Deletions);
            foreach (var version in listing.Applications.SelectMany(a => a.Versions))
            {
                var file = Path.Combine(target.Path, "download-" + version.Version);
                Assert.True(BlobDigest.TryParse(version.Digest, out var digest));
                var downloaded = await client.DownloadBlobAsync(digest, file);
                Assert.True(downloaded.Succeeded, downloaded.Problem?.Detail);
                Assert.Equal(digest, await BlobDigest.OfAsync(File.OpenRead(file)));
            }
        }

        await source.DisposeAsync();
    }

    [Fact]
    [Trait("Backend", "Embedded")]
    public async Task A_damaged_blob_stops_the_migration_naming_it_and_the_target_database_stays_empty()
    {
        using var target = new TempDirectory("aar-target");
        var (publisher, source, expected) = await PopulatedRegistryAsync();
        publisher.Dispose();
        var damaged = expected.Applications.SelectMany(a => a.Versions).First().Digest;
        Assert.True(BlobDigest.TryParse(damaged, out var digest));
        var file = Path.Combine(source.DataDirectory, "blobs", "sha256", digest.Hex[..2], digest.Hex);
        File.SetUnixFileMode(file, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        await using (var stream = File.OpenWrite(file))
        {
            stream.Position = 1000;
            stream.WriteByte(0x5a);
        }

        var error = await Assert.ThrowsAsync<MigrationException>(() => Migrator(source.DataDirectory, target.Path).RunAsync(null, CancellationToken.None));

        Assert.StartsWith($"Blob {damaged} is damaged in the embedded store: its bytes hash to sha256:", error.Message, StringComparison.Ordinal);
        var targetDatabase = new SqliteRegistryDatabase(Path.Combine(target.Path, "aar.db"));
        await using var connection = await targetDatabase.OpenAsync(CancellationToken.None);
        Assert.True((await MetadataCopy.CountAsync(connection, null, CancellationToken.None)).IsEmpty);
        await source.DisposeAsync();
    }

    [Fact]
    [Trait("Backend", "Embedded")]
    public async Task A_target_that_already_holds_a_registry_is_refused_and_left_alone()
    {
        using var target = new TempDirectory("aar-target");
        var (publisher, source, expected) = await PopulatedRegistryAsync();
        publisher.Dispose();
        await Migrator(source.DataDirectory, target.Path).RunAsync(null, CancellationToken.None);

        var error = await Assert.ThrowsAsync<MigrationException>(() => Migrator(source.DataDirectory, target.Path).RunAsync(null, CancellationToken.None));

        Assert.StartsWith($"The target database already holds a registry (generation {expected.Generation}, 2 trusted certificates, 1 application)", error.Message, StringComparison.Ordinal);
        await source.DisposeAsync();
    }

    private static RegistryMigrator Migrator(string sourceData, string targetData) => new(
        new SqliteRegistryDatabase(Path.Combine(sourceData, "aar.db")),
        new FileSystemBlobStore(Path.Combine(sourceData, "blobs")),
        new SqliteRegistryDatabase(Path.Combine(targetData, "aar.db")),
        new FileSystemBlobStore(Path.Combine(targetData, "blobs")));

    /// <summary>
    /// A stopped registry with a publisher, a client, a revoked certificate, an unused join token, two versions of one
    /// application and a deleted second application; returns its listing as it was.
    /// </summary>
    private async Task<(System.Security.Cryptography.X509Certificates.X509Certificate2 Publisher, RegistryTestServer Server, ApplicationListing Listing)> PopulatedRegistryAsync()
    {
        var server = await RegistryTestServer.StartAsync(output);
        var publisher = TestCertificates.Client("publisher-1");
        using var clientCertificate = TestCertificates.Client("client-1");
        using var revokedCertificate = TestCertificates.Client("revoked-1");
        await server.TrustAsync(publisher, TrustRole.Publisher);
        await server.TrustAsync(clientCertificate);
        await server.TrustAsync(revokedCertificate);
        using var admin = server.Admin();
        Assert.True((await admin.RevokeAsync(TestCertificates.FingerprintOf(revokedCertificate))).Succeeded);
        Assert.True((await admin.CreateTokenAsync(new CreateTokenRequest { Role = "client" })).Succeeded);
        Assert.True(Fingerprint.TryParse(server.ServerFingerprint, out var pin));
        using (var client = RegistryClient.Create(server.Address, publisher, pin))
        using (var files = new TempDirectory("aar-packages"))
        {
            foreach (var (name, version) in new[] { ("game", 0), ("game", 1), ("other", 0) })
            {
                var file = files.Combine($"{name}-{version}.bin");
                await File.WriteAllBytesAsync(file, TestBlob.Random(300_000).Bytes);
                var published = await client.PublishFileAsync(name, "amd64", version, file);
                Assert.True(published.Succeeded, published.Problem?.Detail);
            }

            Assert.True((await client.DeleteApplicationAsync("other", "amd64")).Succeeded);
        }

        var listing = (await admin.ListApplicationsAsync()).Value!;
        await server.StopAsync();
        return (publisher, server, listing);
    }
}
