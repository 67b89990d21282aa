using System.Text.Json;

namespace Aar.Protocol.Registry;

/// <summary>One immutable version of an application.</summary>
public sealed record ApplicationVersion
{
    public required int Version { get; init; }

    /// <summary>The package blob, <c>sha256:…</c>; download it from <c>/1.0/blobs/{digest}</c>.</summary>
    public required string Digest { get; init; }

    public required long Size { get; init; }

    /// <summary>The manifest as published (a JSON object; empty object when none was given).</summary>
    public required JsonElement Manifest { get; init; }

    public required IReadOnlyList<string> Tags { get; init; }

    public required DateTimeOffset CreatedAt { get; init; }

    /// <summary>Fingerprint of the publisher certificate that created it.</summary>
    public required string Publisher { get; init; }

    /// <summary>The registry generation at which this version appeared.</summary>
    public required long Generation { get; init; }

    /// <summary>
    /// True when the registry found this version's blob damaged or missing (a scrub quarantined it); absent (null)
    /// otherwise. The publisher that owns the version uploads the blob again; downloads answer 404 until then.
    /// </summary>
    public bool? BlobMissing { get; init; }
}
