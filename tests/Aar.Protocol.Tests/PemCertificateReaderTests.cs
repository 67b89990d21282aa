using Aar.Protocol.Certificates;
using TestSupport;

namespace Aar.Protocol.Tests;

public sealed class PemCertificateReaderTests
{
    [Fact]
    public void Reads_one_certificate_with_text_around_it()
    {
        using var certificate = TestCertificates.Client("reader");
        var pem = "Subject: CN=reader\nsome openssl -text output\n" + TestCertificates.Pem(certificate) + "\ntrailing words\n";

        var result = PemCertificateReader.Read(pem, "client.crt");

        Assert.True(result.Succeeded);
        Assert.Equal(Fingerprint.Of(certificate), Fingerprint.Of(result.Certificate!));
    }

    [Fact]
    public void Refuses_a_private_key_even_next_to_a_certificate()
    {
        using var certificate = TestCertificates.Client();

        var result = PemCertificateReader.Read(TestCertificates.Pem(certificate) + TestCertificates.PrivateKeyPem(certificate), "client.pem");

        Assert.Equal(PemProblem.PrivateKey, result.Problem);
        Assert.StartsWith("client.pem contains a private key", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void Refuses_oversized_input_without_parsing_it()
    {
        var result = PemCertificateReader.Read(new string('A', PemCertificateReader.MaximumLength + 1), "big.crt");

        Assert.Equal(PemProblem.NotPem, result.Problem);
        Assert.Contains("too large", result.Error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("", PemProblem.Empty)]
    [InlineData("hello", PemProblem.NotPem)]
    [InlineData("-----BEGIN CERTIFICATE-----\n!!!!\n-----END CERTIFICATE-----", PemProblem.NotPem)]
    [InlineData("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----", PemProblem.Malformed)]
    [InlineData("-----BEGIN X509 CRL-----\nAAAA\n-----END X509 CRL-----", PemProblem.NoCertificate)]
    public void Names_the_problem(string text, PemProblem expected)
    {
        var result = PemCertificateReader.Read(text, "input");

        Assert.Equal(expected, result.Problem);
        Assert.False(string.IsNullOrWhiteSpace(result.Error));
    }
}
