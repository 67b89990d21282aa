using System.CommandLine;
using Aar.Server.Storage.S3;

namespace Aar.Cli.Serve;

/// <summary>
/// <c>aar serve</c>'s blob-store options: <c>--blob-store</c> (env <c>AAR_BLOB_STORE</c>) and the <c>--s3-*</c> settings.
/// Credentials are deliberately not options (a command line is visible in <c>ps</c>): the server reads
/// <c>AAR_S3_ACCESS_KEY</c>/<c>AAR_S3_SECRET_KEY</c> or the AWS standard variables from its environment.
/// </summary>
internal sealed class S3ServeOptions
{
    public const string BlobStoreVariable = "AAR_BLOB_STORE";

    private readonly Option<string> _blobStore = new("--blob-store")
    {
        Description = $"Where blobs live: filesystem (under the data directory) or s3 (env {BlobStoreVariable}; default filesystem). S3 credentials come only from AAR_S3_ACCESS_KEY/AAR_S3_SECRET_KEY or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY",
        DefaultValueFactory = _ => Environment.GetEnvironmentVariable(BlobStoreVariable) is { Length: > 0 } fromEnvironment ? fromEnvironment : "filesystem",
    };

    private readonly Option<string?> _endpoint = new("--s3-endpoint") { Description = "S3 service URL, e.g. http://127.0.0.1:7480 (radosgw) or https://minio.example:9000; omit for AWS" };
    private readonly Option<string> _bucket = new("--s3-bucket") { Description = "S3 bucket holding the blobs (required with --blob-store s3)", DefaultValueFactory = _ => "" };
    private readonly Option<string> _prefix = new("--s3-prefix") { Description = "Key prefix inside the bucket, ending in '/', e.g. aar/ (default: none)", DefaultValueFactory = _ => "" };
    private readonly Option<string> _region = new("--s3-region") { Description = "S3 signing region (default us-east-1; radosgw and MinIO accept any)", DefaultValueFactory = _ => "us-east-1" };
    private readonly Option<string> _pathStyle = Switch("--s3-path-style", "on", "Path-style URLs host/bucket/key (on, default: radosgw, MinIO) or virtual-hosted bucket.host/key (off)");
    private readonly Option<string> _partSize = new("--s3-part-size") { Description = "Multipart part size, 5MiB-5GiB (default 16MiB); also the unit an upload session's bytes become durable in S3", DefaultValueFactory = _ => "16MiB" };
    private readonly Option<string> _redirect = Switch("--s3-redirect", "off", "on: answer blob downloads with 307 to a presigned S3 URL (clients must reach the S3 endpoint); off (default): stream through the registry");
    private readonly Option<string> _checksum = new("--s3-checksum") { Description = "SDK request checksums: when-required (default; radosgw, MinIO) or when-supported (AWS S3)", DefaultValueFactory = _ => "when-required" };
    private readonly Option<bool> _createBucket = new("--s3-create-bucket") { Description = "Create the bucket at start if it does not exist" };

    public void AddTo(Command command)
    {
        _checksum.AcceptOnlyFromAmong("when-required", "when-supported");
        foreach (var option in new Option[] { _blobStore, _endpoint, _bucket, _prefix, _region, _pathStyle, _partSize, _redirect, _checksum, _createBucket })
        {
            command.Options.Add(option);
        }
    }

    public string BlobStore(ParseResult parse) => parse.GetValue(_blobStore)!;

    /// <summary>The parsed values; an unparsable size becomes 0 so that the validator names it with the others.</summary>
    public S3StorageOptions Read(ParseResult parse) => new()
    {
        Endpoint = parse.GetValue(_endpoint),
        Bucket = parse.GetValue(_bucket)!,
        Prefix = parse.GetValue(_prefix)!,
        Region = parse.GetValue(_region)!,
        PathStyle = IsOn(parse.GetValue(_pathStyle)!),
        PartSize = Units.TryParseSize(parse.GetValue(_partSize)!, out var bytes) ? bytes : 0,
        Redirect = IsOn(parse.GetValue(_redirect)!),
        Checksum = parse.GetValue(_checksum)!,
        CreateBucket = parse.GetValue(_createBucket),
    };

    private static bool IsOn(string value) => value is "on" or "true";

    private static Option<string> Switch(string name, string defaultValue, string description)
    {
        var option = new Option<string>(name) { Description = description, DefaultValueFactory = _ => defaultValue };
        option.AcceptOnlyFromAmong("on", "off", "true", "false");
        return option;
    }
}
