namespace Aar.Protocol.Management;

/// <summary>A certificate in the AMS trust list (<c>amc config trust list</c>): typically the registry's server certificate.</summary>
public sealed record TrustedCertificate
{
    public required string Fingerprint { get; init; }

    public required string CommonName { get; init; }

    public required DateTimeOffset IssueDate { get; init; }

    public required DateTimeOffset ExpiryDate { get; init; }

    public required DateTimeOffset AddedAt { get; init; }

    /// <summary>
    /// Only in the answer to adding a certificate: true when it was already in the trust list, so nothing changed
    /// (a repeat is a success, as <c>aar trust add</c> treats it). Left out of the JSON when false.
    /// </summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingDefault)]
    public bool AlreadyTrusted { get; init; }
}

/// <summary><c>POST /1.0/certificates</c>: a PEM certificate to trust.</summary>
public sealed record TrustAddRequest
{
    public required string Certificate { get; init; }
}
