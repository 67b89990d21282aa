namespace Aar.Protocol.Registry;

/// <summary>Routes of the registry HTTP API (mTLS); docs/api.md describes each.</summary>
public static class RegistryRoutes
{
    public const string Prefix = "/" + ApiVersions.Current;
    public const string Blobs = Prefix + "/blobs";
    public const string Uploads = Prefix + "/uploads";
    public const string Applications = Prefix + "/applications";
    public const string Deletions = Prefix + "/deletions";

    /// <summary>POST a list of 32-byte chunk hashes: which of them the registry holds, in which stored blob (<see cref="ChunkMatches"/>).</summary>
    public const string ChunkLookup = Prefix + "/chunks/lookup";

    /// <summary>The listing of <see cref="Applications"/> in a signed envelope (same query, ETag and 304 rule).</summary>
    public const string SignedApplications = Prefix + "/signed/applications";

    /// <summary>The deletion records of <see cref="Deletions"/> in a signed envelope (<c>?since=</c>).</summary>
    public const string SignedDeletions = Prefix + "/signed/deletions";

    /// <summary>The registry's signing key and its rotations.</summary>
    public const string SigningKey = Prefix + "/signing-key";

    /// <summary>Response header carrying the stored blob's digest, as docker-registry's <c>Docker-Content-Digest</c>.</summary>
    public const string DigestHeader = "Content-Digest-Sha256";

    /// <summary>Response header carrying an upload session's offset (also on 416 answers).</summary>
    public const string UploadOffsetHeader = "Upload-Offset";

    /// <summary>Response header carrying the listing's generation.</summary>
    public const string GenerationHeader = "Registry-Generation";

    public static string Blob(BlobDigest digest) => $"{Blobs}/{digest}";

    /// <summary>The blob's chunk index (<c>Chunking.ChunkIndexWire</c>).</summary>
    public static string BlobChunks(BlobDigest digest) => $"{Blobs}/{digest}/chunks";

    /// <summary>A batched range read of the blob (<c>Chunking.ByteRanges</c>).</summary>
    public static string BlobRanges(BlobDigest digest) => $"{Blobs}/{digest}/ranges";

    /// <summary>The fine chunks of ranges of the blob (asked with <c>Chunking.ByteRanges</c>, answered with <c>Chunking.ChunkSignatureWire</c>).</summary>
    public static string BlobSignatures(BlobDigest digest) => $"{Blobs}/{digest}/signatures";

    public static string Upload(string id) => $"{Uploads}/{Uri.EscapeDataString(id)}";

    /// <summary>POST an <see cref="UploadCopyRequest"/>: append ranges of stored blobs to the session.</summary>
    public static string UploadCopy(string id) => Upload(id) + "/copy";

    public static string Application(string name, string architecture) =>
        $"{Applications}/{Uri.EscapeDataString(name)}/{Uri.EscapeDataString(architecture)}";

    public static string Version(string name, string architecture, int version) =>
        $"{Application(name, architecture)}/versions/{version}";
}
