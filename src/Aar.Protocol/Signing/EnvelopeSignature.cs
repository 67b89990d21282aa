using System.Text.Json.Serialization;

namespace Aar.Protocol.Signing;

/// <summary>One signature of a <see cref="SignedEnvelope"/>: who signed (<see cref="KeyId"/>) and the base64 signature.</summary>
public sealed record EnvelopeSignature
{
    /// <summary>The signer's <see cref="SigningPublicKey.KeyId"/>.</summary>
    [JsonPropertyName("keyid")]
    public required string KeyId { get; init; }

    /// <summary>Standard base64 of the IEEE P1363 signature over the envelope's PAE.</summary>
    [JsonPropertyName("sig")]
    public required string Sig { get; init; }
}
