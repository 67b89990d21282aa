namespace Aar.Protocol.Registry;

/// <summary>
/// A deletion that pollers must replay: a version (<see cref="Version"/> set) or a whole application
/// (<see cref="Version"/> null) was removed at <see cref="Generation"/>.
/// </summary>
public sealed record DeletionRecord
{
    public required long Generation { get; init; }

    public required string Name { get; init; }

    public required string Architecture { get; init; }

    /// <summary>The deleted version, or null when the whole application was deleted.</summary>
    public int? Version { get; init; }

    public required DateTimeOffset DeletedAt { get; init; }
}
