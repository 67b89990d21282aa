using System.Net.Http.Json;
using Aar.Protocol.Http;

namespace Aar.Protocol.Management;

public sealed partial class ManagementClient
{
    public Task<ApiResult<RegistryStatus>> GetRegistryStatusAsync(CancellationToken cancellationToken = default) =>
        SendAsync(new HttpRequestMessage(HttpMethod.Get, ManagementRoutes.Registry), Json.RegistryStatus, cancellationToken);

    /// <summary>Starts a pass now; with <paramref name="wait"/>, answers when it is over with its report.</summary>
    public Task<ApiResult<SyncPassReport>> SyncAsync(bool wait, CancellationToken cancellationToken = default) =>
        SendAsync(
            new HttpRequestMessage(HttpMethod.Post, ManagementRoutes.RegistrySync) { Content = JsonContent.Create(new SyncRequest { Wait = wait }, Json.SyncRequest) },
            Json.SyncPassReport,
            cancellationToken);

    public Task<ApiResult<JoinOutcome>> JoinRegistryAsync(string token, CancellationToken cancellationToken = default) =>
        SendAsync(
            new HttpRequestMessage(HttpMethod.Post, ManagementRoutes.RegistryJoin) { Content = JsonContent.Create(new JoinRequest { Token = token }, Json.JoinRequest) },
            Json.JoinOutcome,
            cancellationToken);

    /// <summary>Makes the AMS a new registry client certificate (the old one is kept aside).</summary>
    public Task<ApiResult<CertificateRenewal>> RenewClientCertificateAsync(CancellationToken cancellationToken = default) =>
        SendAsync(new HttpRequestMessage(HttpMethod.Post, ManagementRoutes.RegistryCertificate), Json.CertificateRenewal, cancellationToken);

    public Task<ApiResult<List<RegistryApplication>>> ListRegistryAsync(CancellationToken cancellationToken = default) =>
        SendAsync(new HttpRequestMessage(HttpMethod.Get, ManagementRoutes.RegistryApplications), Json.ListRegistryApplication, cancellationToken);

    /// <summary>Moves one application now (manual mode, or on demand): push for a publisher, pull for a client.</summary>
    public Task<ApiResult<SyncPassReport>> PushApplicationAsync(string idOrName, CancellationToken cancellationToken = default) =>
        SendAsync(new HttpRequestMessage(HttpMethod.Post, ManagementRoutes.RegistryPush(idOrName)), Json.SyncPassReport, cancellationToken);

    public Task<ApiResult<SyncPassReport>> PullApplicationAsync(string name, CancellationToken cancellationToken = default) =>
        SendAsync(new HttpRequestMessage(HttpMethod.Post, ManagementRoutes.RegistryPull(name)), Json.SyncPassReport, cancellationToken);

    /// <summary>Forgets the rejected registry versions of <paramref name="name"/> and pulls it now (client).</summary>
    public Task<ApiResult<SyncPassReport>> RetryRegistryAsync(string name, CancellationToken cancellationToken = default) =>
        SendAsync(new HttpRequestMessage(HttpMethod.Post, ManagementRoutes.RegistryRetry(name)), Json.SyncPassReport, cancellationToken);
}
