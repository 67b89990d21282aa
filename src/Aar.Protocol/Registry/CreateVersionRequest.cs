using System.Text.Json;

namespace Aar.Protocol.Registry;

/// <summary>
/// <c>PUT /1.0/applications/{name}/{architecture}/versions/{version}</c>: publish an immutable version whose package
/// blob was uploaded before.
/// </summary>
public sealed record CreateVersionRequest
{
    /// <summary>The package blob, <c>sha256:…</c>; it must already be stored.</summary>
    public required string Digest { get; init; }

    /// <summary>The package size in bytes; must match the stored blob.</summary>
    public required long Size { get; init; }

    /// <summary>The application manifest as a JSON object (the parsed manifest.yaml).</summary>
    public JsonElement? Manifest { get; init; }

    public IReadOnlyList<string> Tags { get; init; } = [];
}
