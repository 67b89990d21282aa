namespace Aar.Server.Hosting;

/// <summary>Where blobs live (<c>--blob-store</c>): the choice the composition root makes between the two blob stores.</summary>
public enum BlobStoreKind
{
    /// <summary><c>filesystem</c> (default): files under the data directory.</summary>
    FileSystem,

    /// <summary><c>s3</c>: an S3-compatible bucket (<see cref="ServeOptions.S3"/>).</summary>
    S3,
}

/// <summary>The <c>--blob-store</c> values as the command line spells them.</summary>
public static class BlobStoreKinds
{
    /// <summary>Reads a <c>--blob-store</c> value; false for anything but <c>filesystem</c> and <c>s3</c>.</summary>
    public static bool TryParse(string value, out BlobStoreKind kind)
    {
        (var known, kind) = value switch
        {
            "filesystem" => (true, BlobStoreKind.FileSystem),
            "s3" => (true, BlobStoreKind.S3),
            _ => (false, BlobStoreKind.FileSystem),
        };
        return known;
    }

    /// <summary>The validated choice of <paramref name="options"/> (<see cref="ServeOptionsValidator"/> refused any other value).</summary>
    public static BlobStoreKind Of(ServeOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return TryParse(options.BlobStore, out var kind) ? kind : throw new ArgumentException($"--blob-store '{options.BlobStore}' is unknown.", nameof(options));
    }
}
