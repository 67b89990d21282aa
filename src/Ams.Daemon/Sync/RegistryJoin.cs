using Aar.Protocol.Certificates;
using Aar.Protocol.Enrolment;
using Aar.Protocol.Management;
using Aar.Protocol.Registry;
using Ams.Daemon.Api;
using Ams.Daemon.Config;
using Ams.Daemon.Trust;
using Microsoft.Extensions.Logging;

namespace Ams.Daemon.Sync;

/// <summary>
/// <c>amc registry join &lt;token&gt;</c>: everything the seed's manual steps do, in one: enrol this AMS's registry
/// client certificate with the token, trust the registry's server certificate, and set <c>registry.url</c>,
/// <c>registry.fingerprint</c>, <c>registry.signing_key</c> and <c>registry.mode</c> (push for a publisher token, pull
/// for a client token).
/// </summary>
internal sealed partial class RegistryJoin(SyncOptions options, TrustStore trust, ConfigStore config, ILogger<RegistryJoin> logger)
{
    private static readonly TimeSpan TimeoutPerAddress = TimeSpan.FromSeconds(15);

    public async Task<Result<JoinOutcome>> JoinAsync(string tokenText, CancellationToken cancellationToken)
    {
        if (!JoinToken.TryDecode(tokenText, out var token, out var error))
        {
            return ApiProblem.BadRequest(error!);
        }

        using var certificate = CertificateFiles.LoadPair(options.ClientCertificatePath, options.ClientKeyPath);
        var joined = await EnrolmentClient.JoinAsync(token!, certificate, name: null, TimeoutPerAddress, cancellationToken);
        if (!joined.Succeeded)
        {
            var problem = joined.Problem!;
            return new ApiProblem(problem.Status is >= 400 and < 500 ? problem.Status : 502, $"Joining the registry failed: {problem.Detail}");
        }

        var response = joined.Value!.Response;
        var added = await trust.AddAsync(response.ServerCertificate, cancellationToken);
        if (!added.Succeeded && added.Error!.Code != 409)
        {
            return added.Error;
        }

        var url = joined.Value.RegistryUrl.GetLeftPart(UriPartial.Authority);
        var mode = TrustRoleNames.TryParse(response.Role, out var role) && role == TrustRole.Publisher ? "push" : "pull";
        // registry.url last: each change wakes the sync worker, and nothing syncs while the URL is empty. Set before the
        // mode, the first pass of a joining publisher ran in the default pull mode and imported other publishers'
        // applications (seen in the end-to-end tests).
        // The token's signing key is pinned with the rest (a token from a registry without one leaves the pin as it
        // is: pinned on first use, or by the operator). A join is the operator's explicit choice, so it may replace a pin.
        var settings = new List<(string, string)> { (ConfigKeys.RegistryFingerprint, token!.Fingerprint), (ConfigKeys.RegistryMode, mode), (ConfigKeys.RegistryUrl, url) };
        if (token.SigningKey is { } signingKey)
        {
            settings.Insert(0, (ConfigKeys.RegistrySigningKey, signingKey));
        }

        foreach (var (key, value) in settings)
        {
            var set = await config.SetAsync(key, value, cancellationToken);
            if (!set.Succeeded)
            {
                return set.Error!;
            }
        }

        Log.RegistryJoined(logger, url, token.Fingerprint, response.Role, response.Fingerprint);
        return new JoinOutcome { Url = url, Fingerprint = token.Fingerprint, Role = response.Role, Mode = mode };
    }

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Information, Message = "Joined registry {Url} (server fingerprint {ServerFingerprint}) as {Role} with client certificate {ClientFingerprint}")]
        public static partial void RegistryJoined(ILogger logger, string url, string serverFingerprint, string role, string clientFingerprint);
    }
}
