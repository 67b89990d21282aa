namespace Aar.Protocol.Signing;

/// <summary>
/// One step of the signing key's history: the key <see cref="PreviousKeyId"/> hands over to <see cref="NewPublicKey"/>.
/// Its envelope is signed by both keys: the previous one authorises the change, the new one proves it is held.
/// </summary>
public sealed record KeyRotation
{
    public const string PayloadType = "application/vnd.aar.key-rotation+json";

    /// <summary>1 for the first rotation, then one more for each; a chain's sequences strictly increase.</summary>
    public required int Sequence { get; init; }

    public required string PreviousKeyId { get; init; }

    public required string NewKeyId { get; init; }

    /// <summary>Base64 SubjectPublicKeyInfo of the new key.</summary>
    public required string NewPublicKey { get; init; }

    public required DateTimeOffset RotatedAt { get; init; }

    /// <summary>The rotation from <paramref name="previous"/> to <paramref name="next"/>, signed by both.</summary>
    public static SignedEnvelope Sign(int sequence, SigningKeyPair previous, SigningKeyPair next, DateTimeOffset rotatedAt)
    {
        ArgumentNullException.ThrowIfNull(previous);
        ArgumentNullException.ThrowIfNull(next);
        var rotation = new KeyRotation
        {
            Sequence = sequence,
            PreviousKeyId = previous.PublicKey.KeyId,
            NewKeyId = next.PublicKey.KeyId,
            NewPublicKey = next.PublicKey.Base64,
            RotatedAt = rotatedAt,
        };
        return SignedEnvelope.Sign(PayloadType, rotation, ProtocolJsonContext.Default.KeyRotation, previous, next);
    }
}
