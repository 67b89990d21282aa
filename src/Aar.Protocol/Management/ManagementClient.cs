using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Aar.Protocol.Http;

namespace Aar.Protocol.Management;

/// <summary>
/// Typed client of the AMS local API on <c>&lt;data&gt;/unix.socket</c>; what <c>amc</c> uses. Error envelopes
/// become <see cref="Problem"/>s (<see cref="ManagementErrors"/>), so both CLIs report failures the same way.
/// </summary>
public sealed partial class ManagementClient(HttpClient http, string socketPath) : IDisposable
{
    private static readonly ManagementJsonContext Json = ManagementJsonContext.Default;

    /// <summary>Connects to the daemon of <paramref name="dataDirectory"/>. Uploads may take long, so there is no overall timeout.</summary>
    public static ManagementClient ForDataDirectory(string dataDirectory)
    {
        var socket = Path.Combine(dataDirectory, "unix.socket");
        return new ManagementClient(UnixSocketHttp.CreateClient(socket, Timeout.InfiniteTimeSpan), socket);
    }

    public Task<ApiResult<ServiceStatus>> GetStatusAsync(CancellationToken cancellationToken = default) =>
        SendAsync(new HttpRequestMessage(HttpMethod.Get, ManagementRoutes.Root), Json.ServiceStatus, cancellationToken);

    public Task<ApiResult<ConfigGet>> GetConfigAsync(CancellationToken cancellationToken = default) =>
        SendAsync(new HttpRequestMessage(HttpMethod.Get, ManagementRoutes.Config), Json.ConfigGet, cancellationToken);

    /// <summary>Sets one key; returns the effective configuration after the change.</summary>
    public Task<ApiResult<ConfigGet>> SetConfigAsync(string name, string value, CancellationToken cancellationToken = default) =>
        SendAsync(
            new HttpRequestMessage(HttpMethod.Post, ManagementRoutes.Config) { Content = JsonContent.Create(new ConfigPost { Name = name, Value = value }, Json.ConfigPost) },
            Json.ConfigGet,
            cancellationToken);

    public Task<ApiResult<List<TrustedCertificate>>> ListTrustAsync(CancellationToken cancellationToken = default) =>
        SendAsync(new HttpRequestMessage(HttpMethod.Get, ManagementRoutes.Certificates), Json.ListTrustedCertificate, cancellationToken);

    public Task<ApiResult<TrustedCertificate>> AddTrustAsync(string pem, CancellationToken cancellationToken = default) =>
        SendAsync(
            new HttpRequestMessage(HttpMethod.Post, ManagementRoutes.Certificates) { Content = JsonContent.Create(new TrustAddRequest { Certificate = pem }, Json.TrustAddRequest) },
            Json.TrustedCertificate,
            cancellationToken);

    public Task<ApiResult<TrustedCertificate>> RemoveTrustAsync(string fingerprintOrName, CancellationToken cancellationToken = default) =>
        SendAsync(new HttpRequestMessage(HttpMethod.Delete, ManagementRoutes.Certificate(fingerprintOrName)), Json.TrustedCertificate, cancellationToken);

    private async Task<ApiResult<T>> SendAsync<T>(HttpRequestMessage request, JsonTypeInfo<T> typeInfo, CancellationToken cancellationToken)
    {
        using (request)
        {
            HttpResponseMessage response;
            try
            {
                response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
            }
            catch (HttpRequestException ex) when (ex.InnerException is SocketException socketError)
            {
                return ApiResult.Failed<T>(ManagementErrors.Unreachable(socketError, socketPath));
            }
            catch (HttpRequestException ex)
            {
                return ApiResult.Failed<T>(ManagementErrors.ConnectionLost(ex, socketPath));
            }

            using (response)
            {
                return await ReadAsync(response, typeInfo, cancellationToken);
            }
        }
    }

    private static async Task<ApiResult<T>> ReadAsync<T>(HttpResponseMessage response, JsonTypeInfo<T> typeInfo, CancellationToken cancellationToken)
    {
        Response? envelope;
        try
        {
            envelope = await response.Content.ReadFromJsonAsync(Json.Response, cancellationToken);
        }
        catch (JsonException)
        {
            envelope = null;
        }

        if (envelope is null)
        {
            return ApiResult.Failed<T>(ManagementErrors.Malformed(response));
        }

        if (envelope.Type == Response.ErrorType)
        {
            return ApiResult.Failed<T>(ManagementErrors.FromEnvelope(envelope, (int)response.StatusCode));
        }

        var value = envelope.Metadata is { ValueKind: not JsonValueKind.Null } metadata ? metadata.Deserialize(typeInfo) : default;
        return value is null ? ApiResult.Failed<T>(ManagementErrors.Malformed(response)) : ApiResult.Ok(value);
    }

    public void Dispose() => http.Dispose();
}
