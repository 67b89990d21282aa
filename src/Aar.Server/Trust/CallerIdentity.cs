using Aar.Protocol.Registry;

namespace Aar.Server.Trust;

/// <summary>The trusted certificate behind the current request; set by <see cref="TrustGateMiddleware"/>.</summary>
internal sealed record CallerIdentity(string Fingerprint, string Name, TrustRole Role, DateTimeOffset ExpiresAt);
