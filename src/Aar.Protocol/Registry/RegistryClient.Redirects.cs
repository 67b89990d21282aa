using System.Net;

namespace Aar.Protocol.Registry;

public sealed partial class RegistryClient
{
    private const int MaxRedirects = 5;

    private HttpClient? _external;

    /// <summary>
    /// For redirect targets outside the registry (a presigned S3 URL): no client certificate (the object store has no
    /// business with our identity), the system's certificate validation instead of the registry pin (the store has
    /// its own certificate), and no redirects of its own. The URL's signature is its authorization.
    /// </summary>
    private HttpClient External => _external ??= new HttpClient(new SocketsHttpHandler
    {
        AllowAutoRedirect = false,
        PooledConnectionIdleTimeout = TimeSpan.FromMinutes(2),
    })
    {
        Timeout = Timeout.InfiniteTimeSpan,
        DefaultRequestVersion = HttpVersion.Version11,
    };

    /// <summary>
    /// Sends a GET and follows up to <see cref="MaxRedirects"/> redirects, keeping its Range header. A hop to the
    /// registry's own origin goes through the mTLS client; a hop anywhere else through <see cref="External"/>.
    /// The caller verifies size and digest of what arrives, wherever it came from.
    /// </summary>
    private async Task<HttpResponseMessage> SendFollowingRedirectsAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        var current = request.RequestUri is { IsAbsoluteUri: true } absolute ? absolute : new Uri(http.BaseAddress!, request.RequestUri!);
        for (var hop = 0; hop < MaxRedirects && IsRedirect(response.StatusCode) && response.Headers.Location is { } location; hop++)
        {
            response.Dispose();
            current = location.IsAbsoluteUri ? location : new Uri(current, location);
            using var next = new HttpRequestMessage(HttpMethod.Get, current);
            next.Headers.Range = request.Headers.Range;
            var sameOrigin = http.BaseAddress is { } registry
                && Uri.Compare(current, registry, UriComponents.SchemeAndServer, UriFormat.Unescaped, StringComparison.OrdinalIgnoreCase) == 0;
            response = await (sameOrigin ? http : External).SendAsync(next, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        }

        return response;
    }

    private static bool IsRedirect(HttpStatusCode status) =>
        status is HttpStatusCode.MovedPermanently or HttpStatusCode.Found or HttpStatusCode.SeeOther or HttpStatusCode.TemporaryRedirect or HttpStatusCode.PermanentRedirect;
}
