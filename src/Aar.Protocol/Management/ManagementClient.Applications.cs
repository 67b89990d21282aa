using System.Net.Http.Headers;
using System.Net.Http.Json;

namespace Aar.Protocol.Management;

/// <summary>Application routes of <see cref="ManagementClient"/>.</summary>
public sealed partial class ManagementClient
{
    /// <summary>Lists applications; <paramref name="filters"/> are the reference's attribute=value filters.</summary>
    public Task<Http.ApiResult<List<ApplicationInfo>>> ListApplicationsAsync(IReadOnlyDictionary<string, string>? filters = null, CancellationToken cancellationToken = default)
    {
        var query = "recursion=1" + string.Concat((filters ?? new Dictionary<string, string>())
            .Select(f => $"&{Uri.EscapeDataString(f.Key)}={Uri.EscapeDataString(f.Value)}"));
        return SendAsync(new HttpRequestMessage(HttpMethod.Get, $"{ManagementRoutes.Applications}?{query}"), Json.ListApplicationInfo, cancellationToken);
    }

    public Task<Http.ApiResult<ApplicationInfo>> GetApplicationAsync(string idOrName, CancellationToken cancellationToken = default) =>
        SendAsync(new HttpRequestMessage(HttpMethod.Get, ManagementRoutes.Application(idOrName)), Json.ApplicationInfo, cancellationToken);

    /// <summary>
    /// Streams a package to the daemon: a new application (<paramref name="application"/> null) or the next version
    /// of one. Returns the import operation; wait on it with <see cref="WaitOperationAsync"/>.
    /// </summary>
    public Task<Http.ApiResult<OperationInfo>> UploadPackageAsync(HttpContent package, string packageName, string? application = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(package);
        package.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        var request = application is null
            ? new HttpRequestMessage(HttpMethod.Post, ManagementRoutes.Applications)
            : new HttpRequestMessage(HttpMethod.Patch, ManagementRoutes.Application(application));
        request.Content = package;
        request.Headers.Add(ManagementRoutes.PackageNameHeader, Uri.EscapeDataString(packageName));
        return SendAsync(request, Json.OperationInfo, cancellationToken);
    }

    public Task<Http.ApiResult<OperationInfo>> GetOperationAsync(string id, CancellationToken cancellationToken = default) =>
        SendAsync(new HttpRequestMessage(HttpMethod.Get, ManagementRoutes.Operation(id)), Json.OperationInfo, cancellationToken);

    /// <summary>Waits until the operation ends or <paramref name="timeout"/> passes; returns it either way (check its status).</summary>
    public Task<Http.ApiResult<OperationInfo>> WaitOperationAsync(string id, TimeSpan timeout, CancellationToken cancellationToken = default) =>
        SendAsync(new HttpRequestMessage(HttpMethod.Get, ManagementRoutes.OperationWait(id, timeout)), Json.OperationInfo, cancellationToken);

    /// <summary>Publishes (<paramref name="published"/> true) or revokes a version; returns the application after the change.</summary>
    public Task<Http.ApiResult<ApplicationInfo>> SetPublishedAsync(string idOrName, int version, bool published, CancellationToken cancellationToken = default) =>
        SendAsync(
            new HttpRequestMessage(HttpMethod.Patch, ManagementRoutes.Version(idOrName, version)) { Content = JsonContent.Create(new VersionPatch { Published = published }, Json.VersionPatch) },
            Json.ApplicationInfo,
            cancellationToken);

    /// <summary>Deletes a whole application; returns it as it was.</summary>
    public Task<Http.ApiResult<ApplicationInfo>> DeleteApplicationAsync(string idOrName, bool force, CancellationToken cancellationToken = default) =>
        SendAsync(
            new HttpRequestMessage(HttpMethod.Delete, ManagementRoutes.Application(idOrName)) { Content = JsonContent.Create(new DeleteRequest { Force = force }, Json.DeleteRequest) },
            Json.ApplicationInfo,
            cancellationToken);

    /// <summary>Deletes one version; returns the application after the change.</summary>
    public Task<Http.ApiResult<ApplicationInfo>> DeleteVersionAsync(string idOrName, int version, bool force, CancellationToken cancellationToken = default) =>
        SendAsync(
            new HttpRequestMessage(HttpMethod.Delete, ManagementRoutes.Version(idOrName, version)) { Content = JsonContent.Create(new DeleteRequest { Force = force }, Json.DeleteRequest) },
            Json.ApplicationInfo,
            cancellationToken);
}
