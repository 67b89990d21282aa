namespace Aar.Protocol.Registry;

/// <summary>An application (name + architecture) with its versions, oldest first.</summary>
public sealed record ApplicationRecord
{
    public required string Name { get; init; }

    public required string Architecture { get; init; }

    /// <summary>Fingerprint of the publisher that owns it (the first to create a version).</summary>
    public required string Owner { get; init; }

    public required DateTimeOffset CreatedAt { get; init; }

    public required IReadOnlyList<ApplicationVersion> Versions { get; init; }
}
