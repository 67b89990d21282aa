using Aar.Hosting;
using System.Net;
using Aar.Server.Data;
using Aar.Server.Storage.S3;
using Aar.Server.Tls;

namespace Aar.Server.Hosting;

/// <summary>Checks every option and reports all problems at once, each naming the option and the value.</summary>
public static class ServeOptionsValidator
{
    public static IReadOnlyList<string> Validate(ServeOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = new List<string>();
        if (string.IsNullOrWhiteSpace(options.DataDirectory))
        {
            errors.Add("--data-dir is empty: give a directory the server may create and write, e.g. /var/lib/aar.");
        }
        else if (PrivateUnixSocket.CheckDataDirectory(options.DataDirectory) is { } socketError)
        {
            errors.Add(socketError);
        }

        if (!ListenAddress.TryParse(options.Listen, out _, out var listenError))
        {
            errors.Add(listenError!);
        }

        if (options.MetricsListen is { } metrics && !MetricsListener.TryParse(metrics, out _, out var metricsError))
        {
            errors.Add(metricsError!);
        }

        foreach (var san in options.ExtraSubjectAlternativeNames)
        {
            if (!IPAddress.TryParse(san, out _) && Uri.CheckHostName(san) != UriHostNameType.Dns)
            {
                errors.Add($"--san '{san}' is neither an IP address nor a DNS name.");
            }
        }

        if (options.MaxBlobBytes <= 0)
        {
            errors.Add($"--max-blob-size '{options.MaxBlobBytes}' must be a positive number of bytes.");
        }

        if (options.UploadIdleTimeout < TimeSpan.FromSeconds(1))
        {
            errors.Add($"--upload-expiry '{options.UploadIdleTimeout}' must be at least one second.");
        }

        if (options.MaxUploadSessionsPerPublisher < 1)
        {
            errors.Add($"--max-upload-sessions '{options.MaxUploadSessionsPerPublisher}' must be at least 1.");
        }

        if (options.MaxStagedBytesPerPublisher is { } staged && staged < options.MaxBlobBytes)
        {
            errors.Add($"--max-staged-bytes '{staged}' is less than --max-blob-size ({options.MaxBlobBytes} bytes): the largest blob could never be uploaded; give at least that much.");
        }

        if (options.EnrolAttempts < 1)
        {
            errors.Add($"--enrol-attempts '{options.EnrolAttempts}' must be at least 1.");
        }

        if (options.EnrolWindow < TimeSpan.FromSeconds(1))
        {
            errors.Add($"--enrol-window '{options.EnrolWindow}' must be at least one second.");
        }

        if (options.BlobGracePeriod < TimeSpan.FromSeconds(1))
        {
            errors.Add($"--blob-grace '{options.BlobGracePeriod}' must be at least one second.");
        }

        if (options.ScrubInterval is { } scrub && scrub < TimeSpan.FromSeconds(1))
        {
            errors.Add($"--scrub-interval '{scrub}' must be at least one second (or off).");
        }

        if (options.ListingValidity < TimeSpan.FromMinutes(5) || options.ListingValidity > TimeSpan.FromDays(30))
        {
            errors.Add($"--listing-validity '{options.ListingValidity}' must be between 5 minutes and 30 days: shorter and clients whose clocks drift refuse fresh listings, longer and a replayed listing stays acceptable for too long.");
        }

        if (options.SigningKeyPath is { } signingKey && string.IsNullOrWhiteSpace(signingKey))
        {
            errors.Add("--signing-key is empty: give the path of the signing key's PEM file, or leave the option out for <data>/certs/signing.key.");
        }

        if (!string.IsNullOrWhiteSpace(options.Database) && !PostgresConnectionString.TryParse(options.Database, out _, out var databaseError))
        {
            errors.Add(databaseError!);
        }

        if (options.LogFormat is not ("text" or "json"))
        {
            errors.Add($"--log-format '{options.LogFormat}' is unknown: use text or json.");
        }

        if (DaemonLogLevel.Check(options.LogLevel) is { } levelError)
        {
            errors.Add(levelError);
        }

        if (!BlobStoreKinds.TryParse(options.BlobStore, out var blobStore))
        {
            errors.Add($"--blob-store '{options.BlobStore}' is unknown: use filesystem or s3.");
        }
        else if (blobStore == BlobStoreKind.S3)
        {
            ValidateS3(options.S3, errors);
        }

        return errors;
    }

    private static void ValidateS3(S3StorageOptions s3, List<string> errors)
    {
        if (!string.IsNullOrEmpty(s3.Endpoint) && !(Uri.TryCreate(s3.Endpoint, UriKind.Absolute, out var endpoint) && endpoint.Scheme is "http" or "https"))
        {
            errors.Add($"--s3-endpoint '{s3.Endpoint}' is not an http(s) URL, e.g. http://127.0.0.1:7480.");
        }

        // S3 bucket naming rules, simplified: 3-63 lower-case letters, digits, dots and hyphens.
        if (s3.Bucket.Length is < 3 or > 63 || !s3.Bucket.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c is '.' or '-'))
        {
            errors.Add($"--s3-bucket '{s3.Bucket}' is not a bucket name: give 3-63 lower-case letters, digits, dots or hyphens (required with --blob-store s3).");
        }

        if (s3.Prefix.Length > 0 && (!s3.Prefix.EndsWith('/') || s3.Prefix.StartsWith('/') || s3.Prefix.Contains("//", StringComparison.Ordinal)))
        {
            errors.Add($"--s3-prefix '{s3.Prefix}' must end with '/' and not start with one, e.g. aar/.");
        }

        if (string.IsNullOrWhiteSpace(s3.Region))
        {
            errors.Add("--s3-region is empty: give a region, e.g. us-east-1 (radosgw and MinIO accept any).");
        }

        if (s3.PartSize is < S3StorageOptions.MinimumPartSize or > S3StorageOptions.MaximumPartSize)
        {
            errors.Add($"--s3-part-size '{s3.PartSize}' must be between 5 MiB and 5 GiB (S3 refuses smaller parts except the last).");
        }

        if (s3.Checksum is not ("when-required" or "when-supported"))
        {
            errors.Add($"--s3-checksum '{s3.Checksum}' is unknown: use when-required (radosgw, MinIO) or when-supported (AWS).");
        }

        if ((s3.Credentials ?? S3Credentials.FromEnvironment()) is null)
        {
            errors.Add("--blob-store s3 needs credentials: set AAR_S3_ACCESS_KEY and AAR_S3_SECRET_KEY (or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY) in the environment; they are never taken from the command line.");
        }
    }
}
