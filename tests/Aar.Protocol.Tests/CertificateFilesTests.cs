using System.Security.Cryptography.X509Certificates;
using Aar.Protocol.Certificates;
using TestSupport;

namespace Aar.Protocol.Tests;

public sealed class CertificateFilesTests
{
    [Fact]
    public void Writes_a_pair_that_loads_back_with_the_key_readable_only_by_its_owner()
    {
        using var temp = new TempDirectory();
        using var certificate = SelfSignedCertificates.CreateClient("ams", TimeProvider.System);

        CertificateFiles.WritePair(certificate, temp.Combine("client.crt"), temp.Combine("client.key"));

        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(temp.Combine("client.key")));
        Assert.False(CertificateFiles.IsKeyExposed(temp.Combine("client.key")));
        using var loaded = CertificateFiles.LoadPair(temp.Combine("client.crt"), temp.Combine("client.key"));
        Assert.True(loaded.HasPrivateKey);
        Assert.Equal(Fingerprint.Of(certificate), Fingerprint.Of(loaded));
        Assert.Equal(["client.crt", "client.key"], Directory.GetFiles(temp.Path).Select(Path.GetFileName).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Notices_a_key_others_can_read()
    {
        using var temp = new TempDirectory();
        File.WriteAllText(temp.Combine("k"), "x");
        File.SetUnixFileMode(temp.Combine("k"), UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead);

        Assert.True(CertificateFiles.IsKeyExposed(temp.Combine("k")));
    }

    [Fact]
    public void Atomic_write_replaces_the_whole_file_and_leaves_no_temp_files()
    {
        using var temp = new TempDirectory();
        File.WriteAllText(temp.Combine("f"), new string('x', 10_000));

        CertificateFiles.WriteAtomically(temp.Combine("f"), "short", CertificateFiles.CertificateMode);

        Assert.Equal("short", File.ReadAllText(temp.Combine("f")));
        Assert.Single(Directory.GetFiles(temp.Path));
    }

    [Fact]
    public void Client_certificates_are_leaf_certificates_for_client_authentication()
    {
        using var certificate = SelfSignedCertificates.CreateClient("ams", TimeProvider.System);

        Assert.False(CertificateFacts.IsCertificateAuthority(certificate));
        var usage = certificate.Extensions.OfType<X509EnhancedKeyUsageExtension>().Single();
        Assert.Contains(usage.EnhancedKeyUsages.Cast<System.Security.Cryptography.Oid>(), o => o.Value == "1.3.6.1.5.5.7.3.2");
        Assert.Equal("ams", CertificateFacts.CommonName(certificate));
    }
}
