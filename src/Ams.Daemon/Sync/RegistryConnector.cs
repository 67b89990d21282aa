using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using Aar.Protocol.Certificates;
using Aar.Protocol.Http;
using Aar.Protocol.Registry;
using Aar.Protocol.Text;
using Ams.Daemon.Config;
using Ams.Daemon.Trust;

namespace Ams.Daemon.Sync;

/// <summary>A registry client for one pass, and what the pass needs to explain failures.</summary>
internal sealed class RegistryConnection(RegistryClient client, X509Certificate2 certificate, Uri url, Fingerprint pinned) : IDisposable
{
    private Fingerprint? _presented;

    public RegistryClient Client { get; } = client;

    public Uri Url { get; } = url;

    public string ClientFingerprint { get; } = Fingerprint.Of(certificate).Hex;

    /// <summary>URL and pinned fingerprint: the identity of the registry a pulled generation belongs to.</summary>
    public RegistryIdentity Identity { get; } = new(url.GetLeftPart(UriPartial.Authority), pinned);

    public void ServerMismatch(Fingerprint presented) => _presented = presented;

    /// <summary>Turns a transport failure into the sentence an operator needs (a refusal in the TLS handshake looks like a dropped connection).</summary>
    public string Explain(Exception error) => error switch
    {
        _ when _presented is { } presented =>
            $"The server at {Url.GetLeftPart(UriPartial.Authority)} presented certificate {presented.Hex}, but registry.fingerprint is {pinned.Hex}; if the registry's certificate really changed, add its server.crt with 'amc config trust add' and set registry.fingerprint to it, otherwise something else answers at that address.",
        HttpRequestException { InnerException: AuthenticationException auth } => $"TLS with the registry at {Url} failed ({auth.Message}).",
        HttpRequestException { HttpRequestError: HttpRequestError.ResponseEnded or HttpRequestError.SecureConnectionError } =>
            $"The registry at {Url} closed the connection during the TLS handshake; it probably does not trust this AMS: on the registry host run 'aar trust add' with this AMS's registry/client.crt (fingerprint {ClientFingerprint}).",
        // Connected, then cut mid-answer (reset, truncated body): not a reachability problem.
        HttpRequestException { InnerException: IOException cut } => $"The connection to the registry at {Url} broke: {cut.Message}.",
        HttpRequestException http => $"Cannot reach the registry at {Url}: {http.InnerException?.Message ?? http.Message}.",
        OperationCanceledException { InnerException: TimeoutException } =>
            $"Connecting to the registry at {Url} took longer than registry.timeout.connect ({DurationText.Format(Client.Options.ConnectTimeout)}): TCP or the TLS handshake got no answer. Check that registry.url is the registry's address and that it is up; the pass is retried with backoff.",
        IdleTimeoutException idle => $"The registry at {Url} stopped sending: {idle.Message}. What arrived is kept; the next pass resumes the transfer with a Range request (registry.timeout.idle is {DurationText.Format(idle.Idle)}).",
        WriteStalledException stalled => $"The registry at {Url} stopped taking an upload: {stalled.Message}. What it stored is kept; the next attempt resumes from the offset it reports (registry.timeout.idle is {DurationText.Format(stalled.Idle)}).",
        IOException io => $"The connection to the registry at {Url} broke: {io.Message}.",
        _ => $"Talking to the registry at {Url} failed: {error.Message}",
    };

    /// <summary>A registry problem, as one sentence; the registry's own detail already says what to do.</summary>
    public static string Explain(Problem problem) => problem.Type switch
    {
        ProblemTypes.UntrustedCertificate or ProblemTypes.RevokedCertificate or ProblemTypes.ExpiredCertificate =>
            $"The registry refused this AMS: {problem.Detail}",
        _ => problem.Detail ?? problem.Title,
    };

    public void Dispose()
    {
        Client.Dispose();
        certificate.Dispose();
    }
}

/// <summary>Checks the registry configuration and opens a <see cref="RegistryConnection"/>; refuses with a sentence when it cannot.</summary>
internal sealed class RegistryConnector(SyncOptions options, TrustStore trust)
{
    public string? Problem(AmsConfig config)
    {
        if (config.RegistryUrl is null)
        {
            return "registry.url is not set: set it with 'amc config set registry.url https://<registry>:3000', or join with 'amc registry join <token>'.";
        }

        if (string.IsNullOrEmpty(config.RegistryFingerprint))
        {
            return "registry.fingerprint is not set: add the registry's server.crt with 'amc config trust add' and set its fingerprint with 'amc config set registry.fingerprint'.";
        }

        return trust.Fingerprints.Contains(config.RegistryFingerprint)
            ? null
            : $"registry.fingerprint {config.RegistryFingerprint} is not in this AMS's trust list (it was removed); add the registry's server.crt again with 'amc config trust add'.";
    }

    public RegistryConnection Connect(AmsConfig config)
    {
        // Problem() has checked the value: ConfigKeys only stores valid fingerprints.
        _ = Fingerprint.TryParse(config.RegistryFingerprint, out var pinned);
        var certificate = ClientCertificate.Load(options);
        RegistryConnection? connection = null;
        var client = RegistryClient.Create(config.RegistryUrl!, certificate, pinned, onServerMismatch: presented => connection?.ServerMismatch(presented), options: config.Transport);
        connection = new RegistryConnection(client, certificate, config.RegistryUrl!, pinned);
        return connection;
    }
}
