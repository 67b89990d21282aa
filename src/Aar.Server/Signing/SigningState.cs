using Aar.Protocol.Signing;

namespace Aar.Server.Signing;

/// <summary>
/// Whether this node can sign now: <see cref="Signer"/> is its private key when that key is the registry's current one
/// (<see cref="Current"/>); otherwise <see cref="Problem"/> says what the operator must copy where.
/// </summary>
internal sealed record SigningState(SigningKeyPair? Signer, SigningKeyRow? Current, string? Problem);
