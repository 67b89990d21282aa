namespace Aar.Server.Storage;

/// <summary>What the composition root hands the blob routes: the largest blob accepted, in bytes (<c>--max-blob-size</c>).</summary>
internal sealed record BlobLimits(long MaxBlobBytes);
