using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json.Serialization.Metadata;
using Aar.Protocol.Enrolment;
using Aar.Protocol.Http;
using Aar.Protocol.Registry;
using Aar.Protocol.Signing;

namespace Aar.Protocol.Admin;

/// <summary>Typed client of the registry admin API on <c>&lt;data&gt;/unix.socket</c>; what the <c>aar</c> CLI uses.</summary>
public sealed class AdminClient(HttpClient http, string socketPath) : IDisposable
{
    public static AdminClient ForDataDirectory(string dataDirectory)
    {
        var socket = Path.Combine(dataDirectory, "unix.socket");
        return new AdminClient(UnixSocketHttp.CreateClient(socket), socket);
    }

    public Task<ApiResult<List<TrustEntry>>> ListTrustedAsync(CancellationToken cancellationToken = default) =>
        SendAsync(new HttpRequestMessage(HttpMethod.Get, AdminRoutes.Trust), ProtocolJsonContext.Default.ListTrustEntry, cancellationToken);

    public Task<ApiResult<List<RevokedEntry>>> ListRevokedAsync(CancellationToken cancellationToken = default) =>
        SendAsync(new HttpRequestMessage(HttpMethod.Get, AdminRoutes.Revoked), ProtocolJsonContext.Default.ListRevokedEntry, cancellationToken);

    public Task<ApiResult<TrustChange>> AddAsync(AddTrustRequest request, CancellationToken cancellationToken = default) =>
        SendAsync(
            new HttpRequestMessage(HttpMethod.Post, AdminRoutes.Trust) { Content = JsonContent.Create(request, ProtocolJsonContext.Default.AddTrustRequest) },
            ProtocolJsonContext.Default.TrustChange,
            cancellationToken);

    public Task<ApiResult<TrustChange>> RemoveAsync(string fingerprintPrefix, CancellationToken cancellationToken = default) =>
        SendAsync(new HttpRequestMessage(HttpMethod.Delete, AdminRoutes.TrustEntry(fingerprintPrefix)), ProtocolJsonContext.Default.TrustChange, cancellationToken);

    public Task<ApiResult<TrustChange>> RevokeAsync(string fingerprintPrefix, CancellationToken cancellationToken = default) =>
        SendAsync(new HttpRequestMessage(HttpMethod.Post, AdminRoutes.Revoke(fingerprintPrefix)), ProtocolJsonContext.Default.TrustChange, cancellationToken);

    public Task<ApiResult<ApplicationListing>> ListApplicationsAsync(string? architecture = null, CancellationToken cancellationToken = default) =>
        SendAsync(
            new HttpRequestMessage(HttpMethod.Get, AdminRoutes.Applications + (architecture is null ? "" : "?architecture=" + Uri.EscapeDataString(architecture))),
            ProtocolJsonContext.Default.ApplicationListing,
            cancellationToken);

    /// <summary>Every architecture of the application called <paramref name="name"/>.</summary>
    public Task<ApiResult<List<ApplicationRecord>>> GetApplicationAsync(string name, CancellationToken cancellationToken = default) =>
        SendAsync(new HttpRequestMessage(HttpMethod.Get, $"{AdminRoutes.Applications}/{Uri.EscapeDataString(name)}"), ProtocolJsonContext.Default.ListApplicationRecord, cancellationToken);

    /// <summary>Deletes one version, or the whole application when <paramref name="version"/> is null; ownership does not apply.</summary>
    public Task<ApiResult<DeletionRecord>> DeleteApplicationAsync(string name, string architecture, int? version = null, CancellationToken cancellationToken = default) =>
        SendAsync(
            new HttpRequestMessage(HttpMethod.Delete, version is { } number ? AdminRoutes.Version(name, architecture, number) : AdminRoutes.Application(name, architecture)),
            ProtocolJsonContext.Default.DeletionRecord,
            cancellationToken);

    public Task<ApiResult<RegistryStatus>> GetStatusAsync(CancellationToken cancellationToken = default) =>
        SendAsync(new HttpRequestMessage(HttpMethod.Get, AdminRoutes.Status), ProtocolJsonContext.Default.RegistryStatus, cancellationToken);

    /// <summary>The registry's signing key and its rotations, oldest first.</summary>
    public Task<ApiResult<SigningKeyInfo>> GetSigningKeyAsync(CancellationToken cancellationToken = default) =>
        SendAsync(new HttpRequestMessage(HttpMethod.Get, AdminRoutes.SigningKey), ProtocolJsonContext.Default.SigningKeyInfo, cancellationToken);

    /// <summary>Replaces the signing key with a new one, by a rotation signed by both; the previous private key is destroyed.</summary>
    public Task<ApiResult<SigningKeyInfo>> RotateSigningKeyAsync(CancellationToken cancellationToken = default) =>
        SendAsync(new HttpRequestMessage(HttpMethod.Post, AdminRoutes.SigningKeyRotate), ProtocolJsonContext.Default.SigningKeyInfo, cancellationToken);

    /// <summary>A signed applications listing (what <c>GET /1.0/signed/applications</c> answers), for offline verification.</summary>
    public Task<ApiResult<SignedEnvelope>> GetSignedApplicationsAsync(string? architecture = null, IEnumerable<string>? tags = null, CancellationToken cancellationToken = default)
    {
        var query = new List<string>();
        if (architecture is not null)
        {
            query.Add("architecture=" + Uri.EscapeDataString(architecture));
        }

        if (tags?.ToList() is { Count: > 0 } wanted)
        {
            query.Add("tags=" + Uri.EscapeDataString(string.Join(',', wanted)));
        }

        return SendAsync(new HttpRequestMessage(HttpMethod.Get, AdminRoutes.SignedApplications + (query.Count > 0 ? "?" + string.Join('&', query) : "")), ProtocolJsonContext.Default.SignedEnvelope, cancellationToken);
    }

    public Task<ApiResult<ScrubReport>> ScrubAsync(CancellationToken cancellationToken = default) =>
        SendAsync(new HttpRequestMessage(HttpMethod.Post, AdminRoutes.Scrub), ProtocolJsonContext.Default.ScrubReport, cancellationToken);
    public Task<ApiResult<CreatedToken>> CreateTokenAsync(CreateTokenRequest request, CancellationToken cancellationToken = default) =>
        SendAsync(
            new HttpRequestMessage(HttpMethod.Post, AdminRoutes.Tokens) { Content = JsonContent.Create(request, ProtocolJsonContext.Default.CreateTokenRequest) },
            ProtocolJsonContext.Default.CreatedToken,
            cancellationToken);

    public Task<ApiResult<List<TokenEntry>>> ListTokensAsync(CancellationToken cancellationToken = default) =>
        SendAsync(new HttpRequestMessage(HttpMethod.Get, AdminRoutes.Tokens), ProtocolJsonContext.Default.ListTokenEntry, cancellationToken);

    public async Task<ApiResult<bool>> DeleteTokenAsync(string id, CancellationToken cancellationToken = default)
    {
        using var request = new HttpRequestMessage(HttpMethod.Delete, $"{AdminRoutes.Tokens}/{Uri.EscapeDataString(id)}");
        try
        {
            using var response = await http.SendAsync(request, cancellationToken);
            return response.IsSuccessStatusCode
                ? ApiResult.Ok(true)
                : ApiResult.Failed<bool>(await ApiResponses.ReadProblemAsync(response, cancellationToken));
        }
        catch (HttpRequestException ex) when (ex.InnerException is SocketException socketError)
        {
            return ApiResult.Failed<bool>(Unreachable(socketError));
        }
    }

    private async Task<ApiResult<T>> SendAsync<T>(HttpRequestMessage request, JsonTypeInfo<T> typeInfo, CancellationToken cancellationToken)
    {
        using (request)
        {
            HttpResponseMessage response;
            try
            {
                response = await http.SendAsync(request, cancellationToken);
            }
            catch (HttpRequestException ex) when (ex.InnerException is SocketException socketError)
            {
                return ApiResult.Failed<T>(Unreachable(socketError));
            }

            using (response)
            {
                return await ApiResponses.ReadAsync(response, typeInfo, cancellationToken);
            }
        }
    }

    private Problem Unreachable(SocketException error)
    {
        var reason = error.SocketErrorCode switch
        {
            SocketError.AddressNotAvailable or SocketError.ConnectionRefused when !File.Exists(socketPath) =>
                $"no registry is running with this data directory ({socketPath} does not exist)",
            SocketError.ConnectionRefused => $"no registry is listening on {socketPath} (a stale socket from a stopped server)",
            SocketError.AccessDenied => $"permission denied on {socketPath}; run as root or as a member of the socket's group",
            _ => $"cannot connect to {socketPath} ({error.Message})",
        };
        return new Problem
        {
            Type = ProblemTypes.Unreachable,
            Title = "Registry not reachable",
            Status = 0,
            Detail = $"Cannot reach the registry: {reason}. Start it with 'aar serve', or point to its data directory with --data-dir or AAR_DATA_DIR.",
        };
    }

    public void Dispose() => http.Dispose();
}
