using System.Buffers.Text;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Aar.Protocol.Admin;
using Aar.Protocol.Certificates;
using Aar.Protocol.Enrolment;
using Aar.Protocol.Http;
using Aar.Protocol.Registry;
using Aar.Protocol.Text;
using Aar.Server.Signing;
using Aar.Server.Tls;
using Aar.Server.Trust;
using Microsoft.Extensions.Logging;

namespace Aar.Server.Enrolment;

/// <summary>
/// One-step enrolment (the equivalent of the seed's <c>juju add-relation aar:client ams:registry-client</c>): the
/// operator creates a single-use, expiring token; the AMS presents it with its client certificate and is trusted with
/// the token's role. The token carries the server fingerprint, so the AMS pins the right server from the start.
/// </summary>
internal sealed partial class TokenService(TokenDatabase database, TrustStore trust, ServerIdentity server, AdvertisedAddresses advertised, SigningKeys signing, TimeProvider time, ILogger<TokenService> logger)
{
    public static readonly TimeSpan MinimumLifetime = TimeSpan.FromMinutes(1);
    public static readonly TimeSpan MaximumLifetime = TimeSpan.FromDays(30);

    public async Task<ApiResult<CreatedToken>> CreateAsync(CreateTokenRequest request, CancellationToken cancellationToken)
    {
        // A join token enrols an AMS; a browser's viewer or operator certificate comes from 'aar trust certificate create'.
        if (!TrustRoleNames.TryParse(request.Role, out var role) || !role.IsMachineRole())
        {
            return Invalid<CreatedToken>($"Role '{request.Role}' is unknown: use client or publisher.");
        }

        var seconds = request.ExpiresInSeconds ?? CreateTokenRequest.DefaultExpiresInSeconds;
        var lifetime = TimeSpan.FromSeconds(Math.Clamp(seconds, 0, (long)MaximumLifetime.TotalSeconds + 1));
        if (lifetime < MinimumLifetime || lifetime > MaximumLifetime)
        {
            return Invalid<CreatedToken>($"A token must live between {MinimumLifetime.TotalMinutes:0} minute and {MaximumLifetime.TotalDays:0} days; {seconds} seconds is outside that.");
        }

        var name = request.Name?.Trim() ?? "";
        if (SafeText.Check("Name", name) is { } unsafeName)
        {
            return Invalid<CreatedToken>(unsafeName);
        }

        if (name.Length > 128)
        {
            return Invalid<CreatedToken>("Name must be at most 128 printable characters.");
        }

        var addresses = request.Addresses.Count > 0 ? request.Addresses : advertised.Current;
        var badAddress = addresses.FirstOrDefault(a => !HostPort.IsValid(a));
        if (badAddress is not null)
        {
            return Invalid<CreatedToken>($"Address '{badAddress}' is not host:port (IPv6 in brackets, e.g. [2001:db8::1]:3000).");
        }

        if (addresses.Count == 0)
        {
            return Invalid<CreatedToken>("The registry does not know an address to put in the token; give one with --address host:port.");
        }

        var secret = Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(32));
        var now = time.GetUtcNow();
        var entry = new TokenEntry
        {
            Id = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6)),
            Role = request.Role,
            Name = name,
            CreatedAt = now,
            ExpiresAt = now + lifetime,
        };
        await database.InsertAsync(entry, Hash(secret), cancellationToken);
        // The database's current key, the one every node signs with, whether or not this node can.
        var signingKey = (await signing.CurrentAsync(cancellationToken)).Current?.PublicKey;
        var token = new JoinToken { Addresses = addresses, Fingerprint = server.Fingerprint.Hex, Secret = secret, Role = entry.Role, ExpiresAt = entry.ExpiresAt, SigningKey = signingKey };
        Log.JoinTokenCreated(logger, entry.Id, entry.Role, entry.ExpiresAt);
        return ApiResult.Ok(new CreatedToken { Entry = entry, Token = token.Encode(), Addresses = addresses });
    }

    public async Task<List<TokenEntry>> ListAsync(CancellationToken cancellationToken)
    {
        await database.PurgeAsync(time.GetUtcNow() - TimeSpan.FromDays(1), cancellationToken);
        return await database.ListAsync(cancellationToken);
    }

    public async Task<ApiResult<TokenEntry>> DeleteAsync(string id, CancellationToken cancellationToken)
    {
        var entry = (await database.ListAsync(cancellationToken)).FirstOrDefault(t => string.Equals(t.Id, id.Trim().ToLowerInvariant(), StringComparison.Ordinal));
        if (entry is null || !await database.DeleteAsync(entry.Id, cancellationToken))
        {
            return ApiResult.Failed<TokenEntry>(new Problem { Type = ProblemTypes.NotFound, Title = "Unknown token", Status = 404, Detail = $"No unused join token has the id '{id}'; see 'aar trust token list'." });
        }

        return ApiResult.Ok(entry);
    }

    /// <summary>Trusts <paramref name="certificate"/> with the role of the token whose secret is presented, using the token up.</summary>
    public async Task<ApiResult<EnrolResponse>> RedeemAsync(EnrolRequest request, X509Certificate2 certificate, CancellationToken cancellationToken)
    {
        var fingerprint = Fingerprint.Of(certificate).Hex;
        var token = string.IsNullOrEmpty(request.Secret) ? null : await database.FindBySecretHashAsync(Hash(request.Secret), cancellationToken);
        if (token is null)
        {
            Log.EnrolmentRefused(logger, fingerprint, "unknown or used token");
            return Refused(ProblemTypes.InvalidJoinToken, "The join token is unknown or was already used; create a new one on the registry host with 'aar trust token create'.", fingerprint);
        }

        if (time.GetUtcNow() > token.ExpiresAt)
        {
            Log.EnrolmentRefused(logger, fingerprint, "expired token " + token.Id);
            return Refused(ProblemTypes.ExpiredJoinToken, $"The join token expired at {token.ExpiresAt:u}; create a new one on the registry host with 'aar trust token create'.", fingerprint);
        }

        // The operator named the token: that name is what 'aar trust list' shows, whatever the enrolling machine
        // asks for (it may only name itself when the token carries no name).
        var name = token.Name.Length > 0 ? token.Name : request.Name;
        var added = await trust.AddAsync(new AddTrustRequest { Certificate = CertificateFacts.ToPem(certificate), Role = token.Role, Name = name }, cancellationToken, token.Id);
        if (!added.Succeeded)
        {
            Log.EnrolmentRefused(logger, fingerprint, added.Problem!.Type);
            return ApiResult.Failed<EnrolResponse>(added.Problem);
        }

        Log.CertificateEnrolled(logger, fingerprint, token.Role, token.Id);
        return ApiResult.Ok(new EnrolResponse { Fingerprint = fingerprint, Role = token.Role, Name = added.Value!.Name, ServerCertificate = server.CertificatePem });
    }

    private static string Hash(string secret) => Convert.ToHexStringLower(SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(secret)));

    private static ApiResult<T> Invalid<T>(string detail) =>
        ApiResult.Failed<T>(new Problem { Type = ProblemTypes.InvalidRequest, Title = "Invalid token request", Status = 400, Detail = detail });

    private static ApiResult<EnrolResponse> Refused(string type, string detail, string fingerprint) =>
        ApiResult.Failed<EnrolResponse>(new Problem { Type = type, Title = "Join token not valid", Status = 403, Detail = detail, Fingerprint = fingerprint });

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Information, Message = "Created join token {TokenId} for role {Role}, expires {ExpiresAt:u}")]
        public static partial void JoinTokenCreated(ILogger logger, string tokenId, string role, DateTimeOffset expiresAt);

        [LoggerMessage(Level = LogLevel.Information, Message = "Certificate {Fingerprint} enrolled as {Role} with join token {TokenId}")]
        public static partial void CertificateEnrolled(ILogger logger, string fingerprint, string role, string tokenId);

        [LoggerMessage(Level = LogLevel.Warning, Message = "Refused enrolment of certificate {Fingerprint}: {Reason}")]
        public static partial void EnrolmentRefused(ILogger logger, string fingerprint, string reason);
    }
}
