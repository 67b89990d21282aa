using System.Text.Json;
using Aar.Protocol.Admin;
using Aar.Protocol.Enrolment;

namespace Aar.Protocol.Tests;

/// <summary>
/// Optional admin request fields that are left out or null read as their documented defaults. The source-generated
/// reader sets every init-only property (omitted ones to null or 0), so an initializer alone would not do it.
/// </summary>
public sealed class AdminRequestDefaultsTests
{
    [Theory]
    [InlineData("""{}""")]
    [InlineData("""{"role":null,"expires_in_seconds":null,"name":null,"addresses":null}""")]
    public void A_token_request_without_values_reads_as_the_defaults(string json)
    {
        var request = JsonSerializer.Deserialize(json, ProtocolJsonContext.Default.CreateTokenRequest)!;

        Assert.Equal(("client", null, null), (request.Role, request.ExpiresInSeconds, request.Name));
        Assert.Empty(request.Addresses);
    }

    [Fact]
    public void A_token_request_keeps_the_values_it_was_given()
    {
        var request = JsonSerializer.Deserialize("""{"role":"publisher","expires_in_seconds":0,"name":"n","addresses":["h:1"]}""", ProtocolJsonContext.Default.CreateTokenRequest)!;

        Assert.Equal(new CreateTokenRequest { Role = "publisher", ExpiresInSeconds = 0, Name = "n", Addresses = request.Addresses }, request);
        Assert.Equal(["h:1"], request.Addresses);
        Assert.Equal("""{"role":"client","addresses":[]}""", JsonSerializer.Serialize(new CreateTokenRequest(), ProtocolJsonContext.Default.CreateTokenRequest));
    }

    [Theory]
    [InlineData("""{"certificate":"pem"}""")]
    [InlineData("""{"certificate":"pem","role":null,"name":null}""")]
    public void A_trust_request_without_a_role_reads_as_client(string json)
    {
        var request = JsonSerializer.Deserialize(json, ProtocolJsonContext.Default.AddTrustRequest)!;

        Assert.Equal(new AddTrustRequest { Certificate = "pem", Role = "client", Name = null }, request);
    }

    [Fact]
    public void A_null_certificate_reads_as_empty_and_a_missing_one_is_refused()
    {
        Assert.Equal("", JsonSerializer.Deserialize("""{"certificate":null}""", ProtocolJsonContext.Default.AddTrustRequest)!.Certificate);
        Assert.Throws<JsonException>(() => JsonSerializer.Deserialize("""{"role":"client"}""", ProtocolJsonContext.Default.AddTrustRequest));
    }
}
