namespace Aar.Protocol.Admin;

/// <summary>
/// <c>POST /admin/1.0/trust</c>: trust one PEM certificate. A JSON <c>null</c> or an omitted field reads as its
/// default: the source-generated serializer sets every init-only property, omitted ones to null, so the defaults are
/// applied in the setters rather than by the initializers alone.
/// </summary>
public sealed record AddTrustRequest
{
    /// <summary>The PEM text; null reads as empty (refused as not a certificate).</summary>
    public required string Certificate { get; init => field = value ?? ""; }

    /// <summary><c>client</c> (default) or <c>publisher</c>.</summary>
    public string Role { get; init => field = value ?? "client"; } = "client";

    /// <summary>Optional; defaults to the certificate's common name.</summary>
    public string? Name { get; init; }
}
