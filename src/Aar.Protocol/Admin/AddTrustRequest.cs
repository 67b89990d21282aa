namespace Aar.Protocol.Admin;

/// <summary><c>POST /admin/1.0/trust</c>: trust one PEM certificate.</summary>
public sealed record AddTrustRequest
{
    public required string Certificate { get; init; }

    /// <summary><c>client</c> (default) or <c>publisher</c>.</summary>
    public string Role { get; init; } = "client";

    /// <summary>Optional; defaults to the certificate's common name.</summary>
    public string? Name { get; init; }
}
