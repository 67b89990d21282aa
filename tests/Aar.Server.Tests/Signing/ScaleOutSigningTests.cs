using Aar.Protocol.Certificates;
using Aar.Protocol.Http;
using Aar.Protocol.Registry;
using Aar.Protocol.Signing;
using Aar.Server.Tests.Postgres;
using TestSupport;
using Xunit.Abstractions;
using static Aar.Server.Tests.Signing.SigningKeyLifecycleTests;

namespace Aar.Server.Tests.Signing;

/// <summary>Two registry nodes on one PostgreSQL database: one key history, one key file to distribute.</summary>
public sealed class ScaleOutSigningTests(ITestOutputHelper output)
{
    [PostgresFact]
    public async Task Nodes_sharing_the_key_file_sign_alike_and_a_node_left_behind_by_a_rotation_refuses_until_it_gets_the_new_file()
    {
        await using var database = await TestDatabase.CreatePostgresAsync();
        using var certificate = TestCertificates.Client("ams-on-both-nodes");
        await using var a = await RegistryTestServer.StartAsync(output, database: database);
        await a.TrustAsync(certificate);
        using var onA = Client(a, certificate);
        var keyOfA = Path.Combine(a.DataDirectory, "certs", "signing.key");
        using var shared = new TempDirectory();
        var copyOnB = Path.Combine(shared.Path, "signing.key");

        // A node without the key file does not invent a key of its own.
        await using (var lone = await RegistryTestServer.StartAsync(output, database: database))
        {
            using var onLone = Client(lone, certificate);
            Assert.Equal(ProblemTypes.SigningKeyNotCurrent, (await onLone.GetSignedApplicationsAsync()).Problem?.Type);
        }

        File.Copy(keyOfA, copyOnB);
        await using var b = await RegistryTestServer.StartAsync(output, configure: o => o with { SigningKeyPath = copyOnB }, database: database);
        using var onB = Client(b, certificate);
        var key = (await onA.GetSigningKeyAsync()).Value!;
        Assert.Equal((key.KeyId, key.PublicKey), ((await onB.GetSigningKeyAsync()).Value!.KeyId, (await onB.GetSigningKeyAsync()).Value!.PublicKey));
        Assert.True(await VerifiesAsync(onA, key.PublicKey));
        Assert.True(await VerifiesAsync(onB, key.PublicKey));

        SigningKeyInfo rotated;
        using (var admin = a.Admin())
        {
            rotated = (await admin.RotateSigningKeyAsync()).Value!;
        }

        var stale = await onB.GetSignedApplicationsAsync();
        Assert.Equal(ProblemTypes.SigningKeyNotCurrent, stale.Problem?.Type);
        Assert.Contains($"is not the registry's current key {rotated.KeyId}", stale.Problem!.Detail, StringComparison.Ordinal);
        Assert.True(SigningPublicKey.TryParse(key.PublicKey, out var pinned, out _));
        Assert.True(RotationChain.TryFollow(pinned, (await onB.GetSigningKeyAsync()).Value!.Rotations, out var followed, out _));
        Assert.Equal(rotated.KeyId, followed.KeyId);

        File.Copy(keyOfA, copyOnB, overwrite: true);
        await WaitAsync(async () => (await onB.GetSignedApplicationsAsync()).Succeeded, TimeSpan.FromSeconds(10), "node B to sign with the copied key");
        Assert.True(await VerifiesAsync(onB, rotated.PublicKey));
    }

    private static RegistryClient Client(RegistryTestServer server, System.Security.Cryptography.X509Certificates.X509Certificate2 certificate)
    {
        Assert.True(Fingerprint.TryParse(server.ServerFingerprint, out var pin));
        return RegistryClient.Create(server.Address, certificate, pin);
    }
}
