using Aar.Server.Hosting;
using Aar.Server.Storage.S3;

namespace Aar.Server.Tests;

/// <summary>The blob-store options are checked with the others: every problem at once, each naming its option.</summary>
public sealed class S3OptionsValidationTests
{
    [Fact]
    public void Every_bad_s3_option_is_named_at_once()
    {
        var options = new ServeOptions
        {
            DataDirectory = "/tmp/aar-validate",
            BlobStore = "s3",
            S3 = new S3StorageOptions
            {
                Endpoint = "ftp://x",
                Bucket = "A",
                Prefix = "/x",
                Region = " ",
                PartSize = 1024,
                Checksum = "always",
                Credentials = new S3Credentials("a", "b"),
            },
        };

        var errors = ServeOptionsValidator.Validate(options);

        foreach (var option in new[] { "--s3-endpoint", "--s3-bucket", "--s3-prefix", "--s3-region", "--s3-part-size", "--s3-checksum" })
        {
            Assert.Contains(errors, e => e.StartsWith(option + " ", StringComparison.Ordinal));
        }

        Assert.Equal(6, errors.Count);
    }

    [Fact]
    public void An_unknown_store_is_refused_and_the_s3_options_are_ignored_on_the_file_system()
    {
        Assert.Contains(ServeOptionsValidator.Validate(new ServeOptions { DataDirectory = "/tmp/aar-validate", BlobStore = "tape" }), e => e.StartsWith("--blob-store 'tape'", StringComparison.Ordinal));
        Assert.Empty(ServeOptionsValidator.Validate(new ServeOptions { DataDirectory = "/tmp/aar-validate", S3 = new S3StorageOptions { Bucket = "A" } }));
    }

    [Fact]
    public void Credentials_never_print()
    {
        var options = new S3StorageOptions { Bucket = "aar", Credentials = new S3Credentials("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG") };

        Assert.DoesNotContain("wJalrXUtnFEMI", options.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("AKIDEXAMPLE", new ServeOptions { DataDirectory = "/x", S3 = options }.ToString(), StringComparison.Ordinal);
    }
}
