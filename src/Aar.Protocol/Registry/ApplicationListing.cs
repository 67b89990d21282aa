namespace Aar.Protocol.Registry;

/// <summary>
/// <c>GET /1.0/applications</c>: everything the registry holds (after filters) at one <see cref="Generation"/>. The
/// generation only grows; a poller refuses a listing older than one it has seen (docs/registry-sync.md).
/// </summary>
public sealed record ApplicationListing
{
    public required long Generation { get; init; }

    public required IReadOnlyList<ApplicationRecord> Applications { get; init; }
}
