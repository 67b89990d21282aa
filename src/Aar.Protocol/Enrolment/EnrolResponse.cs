namespace Aar.Protocol.Enrolment;

/// <summary>The registry's answer to a successful enrolment.</summary>
public sealed record EnrolResponse
{
    /// <summary>The fingerprint now trusted (the caller's certificate).</summary>
    public required string Fingerprint { get; init; }

    /// <summary><c>client</c> or <c>publisher</c>.</summary>
    public required string Role { get; init; }

    public required string Name { get; init; }

    /// <summary>The registry's server certificate (PEM), for the AMS trust list.</summary>
    public required string ServerCertificate { get; init; }
}
