using Aar.Hosting;
using Aar.Server.Storage.S3;
using Aar.Server.Tls;

namespace Aar.Server.Hosting;

/// <summary>How <c>aar serve</c> runs. Validated by <see cref="ServeOptionsValidator"/> before anything starts.</summary>
public sealed record ServeOptions
{
    /// <summary>Data directory (<c>--data-dir</c>, <c>AAR_DATA_DIR</c>); default <c>/var/lib/aar</c>. Created on first start.</summary>
    public required string DataDirectory { get; init; }

    /// <summary>
    /// Metadata database (<c>--database</c>, <c>AAR_DATABASE</c>): empty (default) is the embedded SQLite file
    /// <c>&lt;data&gt;/aar.db</c>; otherwise a PostgreSQL URL or Npgsql connection string shared by several nodes
    /// (docs/scale-out.md). May hold a password: never print it, use <c>PostgresConnectionString.Describe</c>.
    /// </summary>
    public string? Database { get; init; }

    /// <summary>HTTPS listen address (<c>--listen</c>): <c>[::]:3000</c>, <c>0.0.0.0:3000</c>, <c>127.0.0.1:0</c> or <c>:3000</c>.</summary>
    public string Listen { get; init; } = ListenAddress.Default;

    /// <summary>Extra subject alternative names (DNS names or IP addresses) for a newly generated server certificate.</summary>
    public IReadOnlyList<string> ExtraSubjectAlternativeNames { get; init; } = [];

    /// <summary>
    /// Plain-HTTP address of the metrics and health listener (<c>--metrics-listen</c>, e.g. <c>127.0.0.1:9100</c>):
    /// <c>/metrics</c>, <c>/healthz</c>, <c>/readyz</c>, no authentication. Null (default) = no such listener.
    /// </summary>
    public string? MetricsListen { get; init; }

    /// <summary>Log format on stderr: <c>text</c> (default) or <c>json</c>.</summary>
    public string LogFormat { get; init; } = "text";

    /// <summary>
    /// The least severe log level written (<c>--log-level</c>): <c>trace</c>, <c>debug</c> (per-request detail),
    /// <c>information</c> (default), <c>warning</c>, <c>error</c> or <c>critical</c>.
    /// </summary>
    public string LogLevel { get; init; } = DaemonLogLevel.Default;

    /// <summary>Upper bound for request bodies outside the upload endpoints, in bytes; default 1 MiB.</summary>
    public long MaxRequestBodyBytes { get; init; } = 1024 * 1024;

    /// <summary>Largest blob (package) accepted, in bytes (<c>--max-blob-size</c>); default 10 GiB, as AMS's package limit.</summary>
    public long MaxBlobBytes { get; init; } = 10L * 1024 * 1024 * 1024;

    /// <summary>An upload session with no chunk for this long is expired and its bytes reclaimed (<c>--upload-expiry</c>); default 24 h.</summary>
    public TimeSpan UploadIdleTimeout { get; init; } = TimeSpan.FromHours(24);

    /// <summary>Upload sessions one publisher may have open at once (<c>--max-upload-sessions</c>); default 16.</summary>
    public int MaxUploadSessionsPerPublisher { get; init; } = 16;

    /// <summary>
    /// Bytes one publisher's open upload sessions may hold together (<c>--max-staged-bytes</c>); null (default) is
    /// twice <see cref="MaxBlobBytes"/> (20 GiB), so two largest blobs can be in flight at once.
    /// </summary>
    public long? MaxStagedBytesPerPublisher { get; init; }

    /// <summary>The effective per-publisher staged-bytes cap.</summary>
    public long StagedBytesCap => MaxStagedBytesPerPublisher ?? (MaxBlobBytes > long.MaxValue / 2 ? long.MaxValue : MaxBlobBytes * 2);

    /// <summary><c>POST /1.0/enrol</c> attempts allowed from one source address per <see cref="EnrolWindow"/> (<c>--enrol-attempts</c>); default 10.</summary>
    public int EnrolAttempts { get; init; } = 10;

    /// <summary>The window <see cref="EnrolAttempts"/> counts over (<c>--enrol-window</c>); default 1 min.</summary>
    public TimeSpan EnrolWindow { get; init; } = TimeSpan.FromMinutes(1);

    /// <summary>A blob no version names is deleted once unused for this long (<c>--blob-grace</c>); default 1 h.</summary>
    public TimeSpan BlobGracePeriod { get; init; } = TimeSpan.FromHours(1);

    /// <summary>
    /// Time between scheduled scrubs (<c>--scrub-interval</c>): every blob re-hashed, damaged ones quarantined; null
    /// (default, <c>off</c>) = only on <c>aar storage scrub</c>. The first runs one interval after start.
    /// </summary>
    public TimeSpan? ScrubInterval { get; init; }

    /// <summary>Where blobs live (<c>--blob-store</c>, <c>AAR_BLOB_STORE</c>): <c>filesystem</c> (default, under the data directory) or <c>s3</c>.</summary>
    public string BlobStore { get; init; } = "filesystem";

    /// <summary>The S3 settings, used when <see cref="BlobStore"/> is <c>s3</c>.</summary>
    public S3StorageOptions S3 { get; init; } = new();

    /// <summary>
    /// The signing key's private PEM file (<c>--signing-key</c>); null (default) is <c>&lt;data&gt;/certs/signing.key</c>.
    /// Every node of a scale-out registry needs the same file (docs/scale-out.md).
    /// </summary>
    public string? SigningKeyPath { get; init; }

    /// <summary>How long a signed listing is valid after it is issued (<c>--listing-validity</c>); default 24 h, 5 min to 30 days.</summary>
    public TimeSpan ListingValidity { get; init; } = TimeSpan.FromHours(24);
}
