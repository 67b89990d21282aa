using Aar.Protocol.Admin;
using Aar.Protocol.Registry;

namespace Aar.Server.Trust;

/// <summary>A row of the trust store.</summary>
internal sealed record TrustedCertificate(
    string Fingerprint,
    string Name,
    TrustRole Role,
    string Subject,
    DateTimeOffset NotBefore,
    DateTimeOffset NotAfter,
    DateTimeOffset AddedAt)
{
    public TrustEntry ToContract() => new()
    {
        Fingerprint = Fingerprint,
        Name = Name,
        Role = Role.ToWire(),
        Subject = Subject,
        NotBefore = NotBefore,
        ExpiresAt = NotAfter,
        AddedAt = AddedAt,
    };
}
