using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Aar.Protocol.Registry;
using Aar.Protocol.Signing;
using TestSupport;

namespace Aar.Protocol.Tests;

public sealed class SigningTests
{
    private static readonly byte[] Body = Encoding.UTF8.GetBytes("""{"generation":7}""");
    private const string Type = SignedApplications.PayloadType;

    [Fact]
    public void A_signed_envelope_opens_with_its_key_and_round_trips_as_dsse_json()
    {
        using var key = SigningKeyPair.Create();
        var envelope = SignedEnvelope.Sign(Type, Body, key);

        var json = JsonSerializer.Serialize(envelope, ProtocolJsonContext.Default.SignedEnvelope);
        using (var document = JsonDocument.Parse(json))
        {
            // DSSE's own member names, whatever the protocol's naming policy.
            var root = document.RootElement;
            Assert.Equal(["payloadType", "payload", "signatures"], root.EnumerateObject().Select(p => p.Name));
            Assert.Equal(Type, root.GetProperty("payloadType").GetString());
            Assert.Equal(Convert.ToBase64String(Body), root.GetProperty("payload").GetString());
            Assert.Equal(["keyid", "sig"], root.GetProperty("signatures")[0].EnumerateObject().Select(p => p.Name));
            Assert.Equal(key.PublicKey.KeyId, root.GetProperty("signatures")[0].GetProperty("keyid").GetString());
        }

        var read = JsonSerializer.Deserialize(json, RegistryReadJsonContext.Default.SignedEnvelope)!;

        Assert.True(read.TryOpen(Type, key.PublicKey, out var payload, out var error), error);
        Assert.Equal(Body, payload);
    }

    [Fact]
    public void An_envelope_written_straight_to_utf8_is_the_same_dsse_json_and_verifies()
    {
        using var key = SigningKeyPair.Create();
        // Bytes whose base64 has '+' and '/', which a JSON writer might escape.
        var body = Enumerable.Range(0, 3000).Select(i => (byte)(i * 251)).ToArray();

        var utf8 = SignedEnvelope.SignToUtf8(Type, body, key);

        var read = JsonSerializer.Deserialize(utf8.Span, RegistryReadJsonContext.Default.SignedEnvelope)!;
        Assert.Equal(Convert.ToBase64String(body), read.Payload);
        Assert.Equal(key.PublicKey.KeyId, read.Signatures.Single().KeyId);
        Assert.True(read.TryOpen(Type, key.PublicKey, out var payload, out var error), error);
        Assert.Equal(body, payload);
        Assert.InRange(utf8.Length, Convert.ToBase64String(body).Length, Convert.ToBase64String(body).Length + 300);
        using var ecdsa = ECDsa.Create();
        ecdsa.ImportSubjectPublicKeyInfo(Convert.FromBase64String(key.PublicKey.Base64), out _);
        Assert.True(ecdsa.VerifyData(SignedEnvelope.Pae(Type, body), Convert.FromBase64String(read.Signatures[0].Sig), HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation));
    }

    [Fact]
    public void The_signature_is_over_dsse_pae_in_ieee_p1363_form()
    {
        using var key = SigningKeyPair.Create();
        var envelope = SignedEnvelope.Sign("t", "hi"u8.ToArray(), key);
        var sig = Convert.FromBase64String(envelope.Signatures[0].Sig);

        Assert.Equal("DSSEv1 1 t 2 hi"u8.ToArray(), SignedEnvelope.Pae("t", "hi"u8));
        Assert.Equal(64, sig.Length);
        using var ecdsa = ECDsa.Create();
        ecdsa.ImportSubjectPublicKeyInfo(Convert.FromBase64String(key.PublicKey.Base64), out _);
        Assert.True(ecdsa.VerifyData("DSSEv1 1 t 2 hi"u8, sig, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation));
    }

    [Theory]
    [InlineData("payload")]
    [InlineData("signature")]
    [InlineData("payloadType")]
    public void A_flipped_byte_is_refused(string where)
    {
        using var key = SigningKeyPair.Create();
        var envelope = SignedEnvelope.Sign(Type, Body, key);
        var tampered = where switch
        {
            "payload" => envelope with { Payload = Convert.ToBase64String(Flip(Body)) },
            "signature" => envelope with { Signatures = [envelope.Signatures[0] with { Sig = Convert.ToBase64String(Flip(Convert.FromBase64String(envelope.Signatures[0].Sig))) }] },
            _ => envelope with { PayloadType = Type.Replace("applications", "applicationz", StringComparison.Ordinal) },
        };

        Assert.False(tampered.TryOpen(tampered.PayloadType, key.PublicKey, out var payload, out var error));
        Assert.Null(payload);
        Assert.Contains("does not verify", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Another_key_or_type_is_refused()
    {
        using var key = SigningKeyPair.Create();
        using var other = SigningKeyPair.Create();
        var envelope = SignedEnvelope.Sign(Type, Body, key);

        Assert.False(envelope.TryOpen(Type, other.PublicKey, out _, out var error));
        Assert.Equal($"The document is not signed by key {other.PublicKey.KeyId}.", error);
        var impostor = envelope with { Signatures = [new EnvelopeSignature { KeyId = other.PublicKey.KeyId, Sig = envelope.Signatures[0].Sig }] };
        Assert.False(impostor.TryOpen(Type, other.PublicKey, out _, out error));
        Assert.Contains("does not verify", error, StringComparison.Ordinal);
        Assert.False(envelope.TryOpen(SignedDeletions.PayloadType, key.PublicKey, out _, out error));
        Assert.Contains("not the expected 'application/vnd.aar.deletions+json'", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Hostile_envelopes_are_refused_with_a_sentence()
    {
        using var key = SigningKeyPair.Create();
        var envelope = SignedEnvelope.Sign(Type, Body, key);
        var signature = envelope.Signatures[0];

        Assert.False((envelope with { Signatures = [] }).TryOpen(Type, key.PublicKey, out _, out var error));
        Assert.Equal("The document is not signed.", error);
        Assert.False((envelope with { Signatures = [.. Enumerable.Repeat(signature, 9)] }).TryOpen(Type, key.PublicKey, out _, out error));
        Assert.Contains("9 signatures", error, StringComparison.Ordinal);
        Assert.False((envelope with { Payload = "!!not base64" }).TryOpen(Type, key.PublicKey, out _, out error));
        Assert.Equal("The signed payload is not base64.", error);
        Assert.False((envelope with { Payload = new string('A', 200 * 1024 * 1024) }).TryOpen(Type, key.PublicKey, out _, out error));
        Assert.Contains("larger than", error, StringComparison.Ordinal);
        Assert.False((envelope with { Signatures = [signature with { Sig = new string('A', 100_000) }] }).TryOpen(Type, key.PublicKey, out _, out error));
        Assert.Contains("does not verify", error, StringComparison.Ordinal);
        Assert.False((envelope with { PayloadType = "x\u001b[31m" }).TryOpen(Type, key.PublicKey, out _, out error));
        Assert.Contains("'x?[31m'", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Public_keys_parse_only_as_p256_and_have_a_stable_id()
    {
        using var key = SigningKeyPair.Create();
        Assert.True(SigningPublicKey.TryParse(" " + key.PublicKey.Base64 + "\n", out var parsed, out _));
        Assert.Equal(key.PublicKey.KeyId, parsed.KeyId);
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(Convert.FromBase64String(key.PublicKey.Base64))), parsed.KeyId);
        Assert.Matches("^[0-9a-f]{64}$", parsed.KeyId);

        using var p384 = ECDsa.Create(ECCurve.NamedCurves.nistP384);
        using var rsa = RSA.Create(2048);
        foreach (var text in new[] { "", "not base64!", Convert.ToBase64String(p384.ExportSubjectPublicKeyInfo()), Convert.ToBase64String(rsa.ExportSubjectPublicKeyInfo()), new string('A', 100_000), Convert.ToBase64String(new byte[91]) })
        {
            Assert.False(SigningPublicKey.TryParse(text, out var refused, out var error));
            Assert.Null(refused);
            Assert.StartsWith("The signing key", error, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void A_key_pair_saves_as_a_0600_pem_and_loads_back()
    {
        using var directory = new TempDirectory();
        var path = Path.Combine(directory.Path, "signing.key");
        using var key = SigningKeyPair.Create();
        key.SavePem(path);

        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
        Assert.StartsWith("-----BEGIN PRIVATE KEY-----", File.ReadAllText(path), StringComparison.Ordinal);
        using var loaded = SigningKeyPair.LoadPem(path);
        Assert.Equal(key.PublicKey.KeyId, loaded.PublicKey.KeyId);
        Assert.True(SignedEnvelope.Sign(Type, Body, loaded).TryOpen(Type, key.PublicKey, out _, out _));
    }

    [Fact]
    public void Loading_something_else_than_a_p256_key_fails_with_a_sentence()
    {
        using var directory = new TempDirectory();
        var path = Path.Combine(directory.Path, "signing.key");
        using var p384 = ECDsa.Create(ECCurve.NamedCurves.nistP384);
        foreach (var content in new[] { "garbage", p384.ExportPkcs8PrivateKeyPem(), new string('x', 100_000) })
        {
            File.WriteAllText(path, content);
            var ex = Assert.Throws<InvalidDataException>(() => SigningKeyPair.LoadPem(path));
            Assert.Contains(path, ex.Message, StringComparison.Ordinal);
        }
    }

    private static byte[] Flip(byte[] bytes)
    {
        var copy = (byte[])bytes.Clone();
        copy[copy.Length / 2] ^= 0x01;
        return copy;
    }
}

public sealed class SignedPayloadJsonTests
{
    private static readonly DateTimeOffset Time = new(2026, 12, 1, 9, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Signed_listings_have_golden_json_with_their_query()
    {
        var applications = new SignedApplications { Generation = 3, IssuedAt = Time, ExpiresAt = Time.AddDays(1), Architecture = "arm64", Tags = ["beta"], Applications = [] };
        var deletions = new SignedDeletions { Generation = 4, Since = 2, IssuedAt = Time, ExpiresAt = Time.AddDays(1), Deletions = [] };

        Assert.Equal("""{"generation":3,"issued_at":"2026-12-01T09:00:00+00:00","expires_at":"2026-12-02T09:00:00+00:00","architecture":"arm64","tags":["beta"],"applications":[]}""", JsonSerializer.Serialize(applications, ProtocolJsonContext.Default.SignedApplications));
        Assert.Equal("""{"generation":3,"issued_at":"2026-12-01T09:00:00+00:00","expires_at":"2026-12-02T09:00:00+00:00","applications":[]}""", JsonSerializer.Serialize(applications with { Architecture = null, Tags = null }, ProtocolJsonContext.Default.SignedApplications));
        Assert.Equal("""{"generation":4,"since":2,"issued_at":"2026-12-01T09:00:00+00:00","expires_at":"2026-12-02T09:00:00+00:00","deletions":[]}""", JsonSerializer.Serialize(deletions, ProtocolJsonContext.Default.SignedDeletions));
    }

    [Fact]
    public void A_typed_open_reads_the_payload_strictly()
    {
        using var key = SigningKeyPair.Create();
        var listing = new SignedApplications { Generation = 3, IssuedAt = Time, ExpiresAt = Time.AddDays(1), Applications = [] };
        var envelope = SignedEnvelope.Sign(SignedApplications.PayloadType, listing, ProtocolJsonContext.Default.SignedApplications, key);

        Assert.True(envelope.TryOpen(SignedApplications.PayloadType, key.PublicKey, RegistryReadJsonContext.Default.SignedApplications, out var opened, out _));
        Assert.Equal(3, opened.Generation);
        var broken = SignedEnvelope.Sign(SignedApplications.PayloadType, """{"generation":3,"applications":null}"""u8.ToArray(), key);
        Assert.False(broken.TryOpen(SignedApplications.PayloadType, key.PublicKey, RegistryReadJsonContext.Default.SignedApplications, out _, out var error));
        Assert.StartsWith("The signed payload is not a valid 'application/vnd.aar.applications+json' document", error, StringComparison.Ordinal);
    }
}
