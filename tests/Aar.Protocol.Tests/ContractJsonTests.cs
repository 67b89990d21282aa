using System.Text.Json;
using Aar.Protocol.Admin;
using Aar.Protocol.Http;
using Aar.Protocol.Registry;

namespace Aar.Protocol.Tests;

/// <summary>Golden JSON: the wire names are a contract between processes and must not drift.</summary>
public sealed class ContractJsonTests
{
    private static readonly DateTimeOffset Time = new(2026, 11, 25, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Problem()
    {
        var json = JsonSerializer.Serialize(new Problem { Type = "publisher-role-required", Title = "t", Status = 403, Detail = "d", Fingerprint = "f", Role = "client" }, ProtocolJsonContext.Default.Problem);

        Assert.Equal("""{"type":"publisher-role-required","title":"t","status":403,"detail":"d","fingerprint":"f","role":"client"}""", json);
    }

    [Fact]
    public void Server_info()
    {
        var json = JsonSerializer.Serialize(new ServerInfo { ServerVersion = "0.1.0", ApiVersion = "1.0", Fingerprint = "f", Role = "publisher", Name = "n", CertificateExpiresAt = Time }, ProtocolJsonContext.Default.ServerInfo);

        Assert.Equal("""{"server_version":"0.1.0","api_version":"1.0","fingerprint":"f","role":"publisher","name":"n","certificate_expires_at":"2026-11-25T12:00:00+00:00"}""", json);
    }

    [Fact]
    public void Trust_entry_and_change()
    {
        var entry = JsonSerializer.Serialize(new TrustEntry { Fingerprint = "f", Name = "n", Role = "client", Subject = "CN=n", NotBefore = Time, ExpiresAt = Time, AddedAt = Time }, ProtocolJsonContext.Default.TrustEntry);
        var change = JsonSerializer.Serialize(new TrustChange { Changed = true, Fingerprint = "f", Name = "n", Role = "client", Message = "m" }, ProtocolJsonContext.Default.TrustChange);
        var request = JsonSerializer.Serialize(new AddTrustRequest { Certificate = "pem", Role = "publisher", Name = "n" }, ProtocolJsonContext.Default.AddTrustRequest);

        Assert.Equal("""{"fingerprint":"f","name":"n","role":"client","subject":"CN=n","not_before":"2026-11-25T12:00:00+00:00","expires_at":"2026-11-25T12:00:00+00:00","added_at":"2026-11-25T12:00:00+00:00"}""", entry);
        Assert.Equal("""{"changed":true,"fingerprint":"f","name":"n","role":"client","message":"m","warnings":[]}""", change);
        Assert.Equal("""{"certificate":"pem","role":"publisher","name":"n"}""", request);
    }
}
