namespace Aar.Server.Collection;

/// <summary>What the composition root hands the blob collector and the scrub schedule (from <c>aar serve</c>'s options).</summary>
internal sealed record CollectionOptions
{
    /// <summary>A blob no version names is deleted once unused for this long (<c>--blob-grace</c>).</summary>
    public required TimeSpan BlobGracePeriod { get; init; }

    /// <summary>Time between scheduled scrubs (<c>--scrub-interval</c>); null = only on <c>aar storage scrub</c>.</summary>
    public TimeSpan? ScrubInterval { get; init; }
}
