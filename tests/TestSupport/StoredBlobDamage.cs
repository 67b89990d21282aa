using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;

namespace TestSupport;

/// <summary>
/// Damages a blob behind a registry's back (one byte flipped), in whichever store the test server uses: the file
/// under <c>blobs/sha256/ab/abcd…</c>, or the object <c>&lt;prefix&gt;blobs/sha256/&lt;hex&gt;</c> in S3.
/// </summary>
public static class StoredBlobDamage
{
    public static async Task FlipByteAsync(RegistryTestServer server, string digest, int offset = 0)
    {
        var hex = digest["sha256:".Length..];
        if (server.Options.BlobStore != "s3")
        {
            var path = Path.Combine(server.DataDirectory, "blobs", "sha256", hex[..2], hex);
            var bytes = await File.ReadAllBytesAsync(path);
            bytes[offset] ^= 0xff;
            await File.WriteAllBytesAsync(path, bytes);
            return;
        }

        var s3 = server.Options.S3;
        using var client = new AmazonS3Client(
            new BasicAWSCredentials(s3.Credentials!.AccessKey, s3.Credentials.SecretKey),
            new AmazonS3Config
            {
                ServiceURL = s3.Endpoint,
                ForcePathStyle = true,
                AuthenticationRegion = s3.Region,
                RequestChecksumCalculation = RequestChecksumCalculation.WHEN_REQUIRED,
                ResponseChecksumValidation = ResponseChecksumValidation.WHEN_REQUIRED,
            });
        var key = s3.Prefix + "blobs/sha256/" + hex;
        byte[] content;
        using (var response = await client.GetObjectAsync(s3.Bucket, key))
        using (var copy = new MemoryStream())
        {
            await response.ResponseStream.CopyToAsync(copy);
            content = copy.ToArray();
        }

        content[offset] ^= 0xff;
        await client.PutObjectAsync(new PutObjectRequest { BucketName = s3.Bucket, Key = key, InputStream = new MemoryStream(content) });
    }
}
