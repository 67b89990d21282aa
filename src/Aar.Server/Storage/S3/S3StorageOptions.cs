namespace Aar.Server.Storage.S3;

/// <summary>
/// The S3-compatible blob store (<c>aar serve --blob-store s3</c>). Credentials are not options: they come from the
/// environment only (<see cref="S3Credentials.FromEnvironment"/>), so they never appear on a command line or in logs.
/// </summary>
public sealed record S3StorageOptions
{
    public const long MinimumPartSize = 5L * 1024 * 1024;

    /// <summary>Largest part S3 accepts.</summary>
    public const long MaximumPartSize = 5L * 1024 * 1024 * 1024;

    /// <summary>Service URL (<c>--s3-endpoint</c>), e.g. <c>http://127.0.0.1:7480</c>; empty = AWS for <see cref="Region"/>.</summary>
    public string? Endpoint { get; init; }

    /// <summary><c>--s3-bucket</c>.</summary>
    public string Bucket { get; init; } = "";

    /// <summary>Key prefix (<c>--s3-prefix</c>), e.g. <c>aar/</c>, so several registries can share a bucket.</summary>
    public string Prefix { get; init; } = "";

    /// <summary><c>--s3-region</c>; signing region (radosgw and MinIO accept any).</summary>
    public string Region { get; init; } = "us-east-1";

    /// <summary><c>--s3-path-style</c>: <c>http://host/bucket/key</c> (radosgw, MinIO) instead of <c>http://bucket.host/key</c>.</summary>
    public bool PathStyle { get; init; } = true;

    /// <summary><c>--s3-part-size</c>: bytes per multipart part and per upload-session part; default 16 MiB, at least 5 MiB.</summary>
    public long PartSize { get; init; } = 16L * 1024 * 1024;

    /// <summary><c>--s3-redirect</c>: answer downloads with 307 to a presigned GET URL instead of streaming through the node.</summary>
    public bool Redirect { get; init; }

    /// <summary>How long a presigned download URL stays valid.</summary>
    public TimeSpan RedirectLifetime { get; init; } = TimeSpan.FromMinutes(15);

    /// <summary>
    /// <c>--s3-checksum</c>: <c>when-required</c> (default; radosgw and older MinIO reject or store the SDK's
    /// aws-chunked checksum trailers) or <c>when-supported</c> (AWS S3: CRC32 on every request).
    /// </summary>
    public string Checksum { get; init; } = "when-required";

    /// <summary><c>--s3-create-bucket</c>: create the bucket at start if it does not exist.</summary>
    public bool CreateBucket { get; init; }

    /// <summary>Access key pair; null = <see cref="S3Credentials.FromEnvironment"/> at start.</summary>
    public S3Credentials? Credentials { get; init; }
}

/// <summary>An S3 access key pair. Never printed: <see cref="ToString"/> hides it, so a logged options record leaks nothing.</summary>
public sealed class S3Credentials(string accessKey, string secretKey)
{
    public string AccessKey { get; } = accessKey;

    public string SecretKey { get; } = secretKey;

    /// <summary>
    /// <c>AAR_S3_ACCESS_KEY</c>/<c>AAR_S3_SECRET_KEY</c>, else the AWS standard <c>AWS_ACCESS_KEY_ID</c>/<c>AWS_SECRET_ACCESS_KEY</c>;
    /// null when neither pair is complete.
    /// </summary>
    public static S3Credentials? FromEnvironment()
    {
        static S3Credentials? Pair(string access, string secret) =>
            Environment.GetEnvironmentVariable(access) is { Length: > 0 } a && Environment.GetEnvironmentVariable(secret) is { Length: > 0 } s ? new S3Credentials(a, s) : null;
        return Pair("AAR_S3_ACCESS_KEY", "AAR_S3_SECRET_KEY") ?? Pair("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY");
    }

    public override string ToString() => "(access key hidden)";
}
