using Aar.Protocol.Registry;

namespace Aar.Protocol.Signing;

/// <summary>
/// The payload of <c>GET /1.0/signed/applications</c>: the listing at <see cref="Generation"/>, with the query that
/// produced it (<see cref="Architecture"/>, <see cref="Tags"/>) so a listing for another query cannot be substituted,
/// and a validity window so an old listing cannot be replayed forever.
/// </summary>
public sealed record SignedApplications
{
    public const string PayloadType = "application/vnd.aar.applications+json";

    public required long Generation { get; init; }

    public required DateTimeOffset IssuedAt { get; init; }

    /// <summary>After this instant the listing is refused (<c>aar serve --listing-validity</c> after <see cref="IssuedAt"/>).</summary>
    public required DateTimeOffset ExpiresAt { get; init; }

    /// <summary>The <c>architecture</c> filter asked for, or null for all.</summary>
    public string? Architecture { get; init; }

    /// <summary>The <c>tags</c> filter asked for, or null for none.</summary>
    public IReadOnlyList<string>? Tags { get; init; }

    public required IReadOnlyList<ApplicationRecord> Applications { get; init; }
}
