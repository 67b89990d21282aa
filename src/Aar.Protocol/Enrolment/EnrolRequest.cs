namespace Aar.Protocol.Enrolment;

/// <summary>
/// <c>POST /1.0/enrol</c>, sent over mutual TLS with the certificate to be trusted: the only registry request an
/// untrusted certificate may make.
/// </summary>
public sealed record EnrolRequest
{
    public required string Secret { get; init; }

    /// <summary>Optional name for the trust entry; defaults to the certificate's common name.</summary>
    public string? Name { get; init; }
}
