using Aar.Server.Storage.S3;

namespace TestSupport;

/// <summary>The S3 store the tests use when <c>AAR_TEST_S3_ENDPOINT</c> is set (<c>scripts/ci/ceph-s3.sh start</c> prints the exports).</summary>
public static class TestS3
{
    public const string EndpointVariable = "AAR_TEST_S3_ENDPOINT";

    /// <summary>The bucket every test server shares; each one works under its own random prefix.</summary>
    public const string Bucket = "aar-tests";

    public static string? Endpoint => Environment.GetEnvironmentVariable(EndpointVariable) is { Length: > 0 } endpoint ? endpoint : null;

    public static S3Credentials Credentials => new(
        Environment.GetEnvironmentVariable("AAR_TEST_S3_ACCESS_KEY") ?? "CIACCESSKEY",
        Environment.GetEnvironmentVariable("AAR_TEST_S3_SECRET_KEY") ?? "CISECRETKEY123456");

    /// <summary>S3 settings under <paramref name="prefix"/>, or null when the tests run on the file system.</summary>
    public static S3StorageOptions? Options(string prefix, string? endpoint = null) => (endpoint ?? Endpoint) is { } url
        ? new S3StorageOptions { Endpoint = url, Bucket = Bucket, Prefix = prefix, CreateBucket = true, Credentials = Credentials }
        : null;
}
