namespace Aar.Server.Deltas;

/// <summary>Limits of delta uploads, as the composition root hands them to <see cref="DeltaServiceCollectionExtensions.AddDeltas"/>.</summary>
internal sealed record DeltaOptions
{
    /// <summary>Hashes one chunk lookup may ask about: 32,768 (32 bytes each, exactly Kestrel's 1 MiB body limit).</summary>
    public int MaxLookupHashes { get; init; } = 32 * 1024;

    /// <summary>Ranges one copy request may name (each checked against the blob store before any byte moves). Default 4,096.</summary>
    public int MaxCopyRanges { get; init; } = 4096;
}
