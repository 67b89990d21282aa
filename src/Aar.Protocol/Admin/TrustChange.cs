namespace Aar.Protocol.Admin;

/// <summary>The answer to a trust add, remove or revoke: what the store holds now, and whether anything changed.</summary>
public sealed record TrustChange
{
    /// <summary>False when the request was already satisfied (an idempotent repeat).</summary>
    public required bool Changed { get; init; }

    public required string Fingerprint { get; init; }

    public required string Name { get; init; }

    public string? Role { get; init; }

    /// <summary>A sentence for people, e.g. "already trusted as client".</summary>
    public required string Message { get; init; }

    /// <summary>Warnings that did not stop the change (e.g. a certificate not valid yet).</summary>
    public IReadOnlyList<string> Warnings { get; init; } = [];
}
