using System.Text.Json;
using Aar.Protocol.Signing;

namespace Aar.Protocol.Tests;

public sealed class RotationChainTests : IDisposable
{
    private static readonly DateTimeOffset Time = new(2026, 12, 1, 9, 0, 0, TimeSpan.Zero);
    private readonly List<SigningKeyPair> _keys = [.. Enumerable.Range(0, 5).Select(_ => SigningKeyPair.Create())];

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(3)]
    public void Follows_the_chain_from_the_pinned_key_to_the_newest(int rotations)
    {
        var chain = Chain(rotations);

        Assert.True(RotationChain.TryFollow(_keys[0].PublicKey, chain, out var current, out var error), error);
        Assert.Equal(_keys[rotations].PublicKey.KeyId, current.KeyId);
    }

    [Fact]
    public void A_key_pinned_midway_follows_from_where_it_is_and_an_unrelated_key_stays_itself()
    {
        var chain = Chain(3);

        Assert.True(RotationChain.TryFollow(_keys[2].PublicKey, chain, out var current, out _));
        Assert.Equal(_keys[3].PublicKey.KeyId, current.KeyId);
        Assert.True(RotationChain.TryFollow(_keys[4].PublicKey, chain, out current, out _));
        Assert.Equal(_keys[4].PublicKey.KeyId, current.KeyId);
    }

    [Fact]
    public void A_forked_chain_is_refused()
    {
        var chain = Chain(2).Append(KeyRotation.Sign(2, _keys[1], _keys[4], Time)).ToList();

        Assert.False(RotationChain.TryFollow(_keys[0].PublicKey, chain, out var current, out var error));
        Assert.Null(current);
        Assert.Contains("forked", error, StringComparison.Ordinal);
    }

    [Fact]
    public void A_rotation_without_the_new_keys_signature_is_refused()
    {
        var rotation = KeyRotation.Sign(1, _keys[0], _keys[1], Time);
        var onlyOld = rotation with { Signatures = [rotation.Signatures[0]] };

        Assert.False(RotationChain.TryFollow(_keys[0].PublicKey, [onlyOld], out _, out var error));
        Assert.Contains($"not signed by its new key {_keys[1].PublicKey.KeyId}", error, StringComparison.Ordinal);
    }

    [Fact]
    public void A_rotation_not_signed_by_the_previous_key_is_refused()
    {
        // Signed by a key that names itself the previous one would be a forgery; here the "previous" signature is
        // made by the new key under the old key's id.
        var payload = JsonSerializer.SerializeToUtf8Bytes(
            new KeyRotation { Sequence = 1, PreviousKeyId = _keys[0].PublicKey.KeyId, NewKeyId = _keys[1].PublicKey.KeyId, NewPublicKey = _keys[1].PublicKey.Base64, RotatedAt = Time },
            ProtocolJsonContext.Default.KeyRotation);
        var byNewOnly = SignedEnvelope.Sign(KeyRotation.PayloadType, payload, _keys[1], _keys[1]);
        var forged = byNewOnly with { Signatures = [byNewOnly.Signatures[0] with { KeyId = _keys[0].PublicKey.KeyId }, byNewOnly.Signatures[1]] };

        Assert.False(RotationChain.TryFollow(_keys[0].PublicKey, [forged], out _, out var error));
        Assert.Contains($"not authorised by it", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(0)]
    public void A_sequence_that_does_not_increase_is_refused(int second)
    {
        var chain = new[] { KeyRotation.Sign(1, _keys[0], _keys[1], Time), KeyRotation.Sign(second, _keys[1], _keys[2], Time) };

        Assert.False(RotationChain.TryFollow(_keys[0].PublicKey, chain, out _, out var error));
        Assert.Contains($"sequence {second}, not more than the 1", error, StringComparison.Ordinal);
    }

    [Fact]
    public void A_rotation_naming_another_key_id_than_it_carries_is_refused()
    {
        var payload = JsonSerializer.SerializeToUtf8Bytes(
            new KeyRotation { Sequence = 1, PreviousKeyId = _keys[0].PublicKey.KeyId, NewKeyId = _keys[2].PublicKey.KeyId, NewPublicKey = _keys[1].PublicKey.Base64, RotatedAt = Time },
            ProtocolJsonContext.Default.KeyRotation);

        Assert.False(RotationChain.TryFollow(_keys[0].PublicKey, [SignedEnvelope.Sign(KeyRotation.PayloadType, payload, _keys[0], _keys[1])], out _, out var error));
        Assert.Contains("names a new key that is not the one it carries", error, StringComparison.Ordinal);
    }

    [Fact]
    public void A_loop_back_to_an_earlier_key_is_refused()
    {
        var chain = new[] { KeyRotation.Sign(1, _keys[0], _keys[1], Time), KeyRotation.Sign(2, _keys[1], _keys[0], Time) };

        Assert.False(RotationChain.TryFollow(_keys[0].PublicKey, chain, out _, out var error));
        Assert.Contains("loop back", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Garbage_and_huge_chains_are_refused_before_any_verification()
    {
        var good = KeyRotation.Sign(1, _keys[0], _keys[1], Time);

        Assert.False(RotationChain.TryFollow(_keys[0].PublicKey, [.. Enumerable.Repeat(good, 1001)], out _, out var error));
        Assert.Contains("1001 key rotations", error, StringComparison.Ordinal);
        foreach (var bad in new[] { good with { Payload = "%%%" }, good with { Payload = Convert.ToBase64String("{}"u8) }, good with { PayloadType = "x" }, good with { Payload = new string('A', 1_000_000) }, null! })
        {
            Assert.False(RotationChain.TryFollow(_keys[0].PublicKey, [good, bad], out _, out error));
            Assert.Equal("Key rotation 2 of 2 is malformed; the chain is not followed.", error);
        }
    }

    [Fact]
    public void Rotation_and_key_info_have_golden_json()
    {
        var rotation = new KeyRotation { Sequence = 1, PreviousKeyId = "a", NewKeyId = "b", NewPublicKey = "Yg==", RotatedAt = Time };
        var info = new SigningKeyInfo { KeyId = "b", PublicKey = "Yg==", Rotations = [new SignedEnvelope { PayloadType = KeyRotation.PayloadType, Payload = "e30=", Signatures = [new EnvelopeSignature { KeyId = "a", Sig = "c2ln" }] }] };

        Assert.Equal("""{"sequence":1,"previous_key_id":"a","new_key_id":"b","new_public_key":"Yg==","rotated_at":"2026-12-01T09:00:00+00:00"}""", JsonSerializer.Serialize(rotation, ProtocolJsonContext.Default.KeyRotation));
        Assert.Equal("""{"key_id":"b","public_key":"Yg==","rotations":[{"payloadType":"application/vnd.aar.key-rotation\u002Bjson","payload":"e30=","signatures":[{"keyid":"a","sig":"c2ln"}]}]}""", JsonSerializer.Serialize(info, ProtocolJsonContext.Default.SigningKeyInfo));
    }

    public void Dispose()
    {
        foreach (var key in _keys)
        {
            key.Dispose();
        }
    }

    private List<SignedEnvelope> Chain(int rotations) =>
        [.. Enumerable.Range(0, rotations).Select(i => KeyRotation.Sign(i + 1, _keys[i], _keys[i + 1], Time.AddDays(i)))];
}
