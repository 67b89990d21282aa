using System.Diagnostics.CodeAnalysis;
using System.Text.Json;
using Aar.Protocol.Registry;

namespace Aar.Protocol.Signing;

/// <summary>
/// Follows a registry's key rotations from a pinned key to the key it signs with now, so a client pinned to an
/// earlier key moves on without a re-join, and only along steps each signed by the key it already trusts.
/// </summary>
public static class RotationChain
{
    /// <summary>More rotations than this is not a history this system writes; refused before any is verified.</summary>
    public const int MaxRotations = 1000;

    /// <summary>A rotation's payload is about 400 bytes.</summary>
    private const int MaxRotationPayloadBase64 = 8 * 1024;

    /// <summary>
    /// Starting at <paramref name="pinned"/>, follows each rotation whose <see cref="KeyRotation.PreviousKeyId"/> is
    /// the current key; each must be signed by the current key and by the new one, name the new key by its true id,
    /// and carry a larger sequence than the step before. <paramref name="current"/> is the newest key reached (the
    /// pinned key itself when no rotation starts from it). A malformed entry, two rotations from the same key (a
    /// fork), a key reached twice, or a step that fails a check refuses the whole chain, with a sentence in
    /// <paramref name="error"/>.
    /// </summary>
    public static bool TryFollow(SigningPublicKey pinned, IReadOnlyList<SignedEnvelope>? rotations, [NotNullWhen(true)] out SigningPublicKey? current, [NotNullWhen(false)] out string? error)
    {
        ArgumentNullException.ThrowIfNull(pinned);
        current = null;
        rotations ??= [];
        if (rotations.Count > MaxRotations)
        {
            error = $"The registry lists {rotations.Count} key rotations, more than the {MaxRotations} accepted.";
            return false;
        }

        var byPrevious = new Dictionary<string, SignedEnvelope>(StringComparer.Ordinal);
        for (var i = 0; i < rotations.Count; i++)
        {
            if (!TryPeek(rotations[i], out var rotation))
            {
                error = $"Key rotation {i + 1} of {rotations.Count} is malformed; the chain is not followed.";
                return false;
            }

            if (!byPrevious.TryAdd(rotation.PreviousKeyId, rotations[i]))
            {
                error = $"The key rotations are forked: key {rotation.PreviousKeyId} hands over twice; the chain is not followed.";
                return false;
            }
        }

        var key = pinned;
        var sequence = 0;
        var reached = new HashSet<string>(StringComparer.Ordinal) { key.KeyId };
        while (byPrevious.TryGetValue(key.KeyId, out var envelope))
        {
            if (!envelope.TryOpen(KeyRotation.PayloadType, key, RegistryReadJsonContext.Default.KeyRotation, out var rotation, out var why))
            {
                error = $"The rotation from key {key.KeyId} is not authorised by it: {why}";
                return false;
            }

            if (!SigningPublicKey.TryParse(rotation.NewPublicKey, out var next, out why)
                || !string.Equals(next.KeyId, rotation.NewKeyId, StringComparison.Ordinal))
            {
                error = $"The rotation from key {key.KeyId} names a new key that is not the one it carries{(why is null ? "" : ": " + why)}";
                return false;
            }

            if (!envelope.TryOpen(KeyRotation.PayloadType, next, out _, out why))
            {
                error = $"The rotation from key {key.KeyId} is not signed by its new key {next.KeyId}: {why}";
                return false;
            }

            if (rotation.Sequence <= sequence)
            {
                error = $"The rotation from key {key.KeyId} has sequence {rotation.Sequence}, not more than the {sequence} before it.";
                return false;
            }

            if (!reached.Add(next.KeyId))
            {
                error = $"The key rotations loop back to key {next.KeyId}; the chain is not followed.";
                return false;
            }

            sequence = rotation.Sequence;
            key = next;
        }

        current = key;
        error = null;
        return true;
    }

    /// <summary>Reads a rotation's payload without verifying it, only to index the chain; every step used is verified.</summary>
    private static bool TryPeek(SignedEnvelope? envelope, [NotNullWhen(true)] out KeyRotation? rotation)
    {
        rotation = null;
        if (envelope is null || !string.Equals(envelope.PayloadType, KeyRotation.PayloadType, StringComparison.Ordinal)
            || envelope.Payload is not { Length: <= MaxRotationPayloadBase64 } payload)
        {
            return false;
        }

        try
        {
            rotation = JsonSerializer.Deserialize(Convert.FromBase64String(payload), RegistryReadJsonContext.Default.KeyRotation);
        }
        catch (Exception ex) when (ex is FormatException or JsonException)
        {
            return false;
        }

        return rotation is not null;
    }
}
