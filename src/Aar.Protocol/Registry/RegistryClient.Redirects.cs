using System.Net;
using Aar.Protocol.Http;

namespace Aar.Protocol.Registry;

public sealed partial class RegistryClient
{
    private HttpClient? _external;

    /// <summary>
    /// For redirect targets outside the registry (a presigned S3 URL): no client certificate (the object store has no
    /// business with our identity), the system's certificate validation instead of the registry pin (the store has
    /// its own certificate), and no redirects of its own. The URL's signature is its authorization. Same connect
    /// timeout and keepalive as the registry connection; the caller applies the same idle timeout and size cap.
    /// </summary>
    private HttpClient External => _external ??= new HttpClient(Handler(Options))
    {
        Timeout = Timeout.InfiniteTimeSpan,
        DefaultRequestVersion = HttpVersion.Version11,
    };

    /// <summary>
    /// Sends a GET and follows up to <see cref="RegistryClientOptions.MaxRedirects"/> redirects, keeping its Range
    /// header. A hop to the registry's own origin goes through the mTLS client; a hop anywhere else through
    /// <see cref="External"/>, and only over https unless <see cref="RegistryClientOptions.AllowHttpRedirects"/>.
    /// Returns the final response, or a problem naming the refused hop. The caller verifies size and digest of what
    /// arrives, wherever it came from.
    /// </summary>
    private async Task<(HttpResponseMessage? Response, Problem? Problem)> SendFollowingRedirectsAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var response = await SendForHeadersAsync(http, request, cancellationToken);
        var current = request.RequestUri is { IsAbsoluteUri: true } absolute ? absolute : new Uri(http.BaseAddress!, request.RequestUri!);
        for (var hop = 0; IsRedirect(response.StatusCode); hop++)
        {
            response.Dispose();
            if (response.Headers.Location is not { } location)
            {
                return (null, Refused(current, $"answered {(int)response.StatusCode} without a Location header"));
            }

            if (hop == Options.MaxRedirects)
            {
                return (null, Refused(current, $"redirected more than {Options.MaxRedirects} times (a redirect loop?); the download was not followed further"));
            }

            var target = location.IsAbsoluteUri ? location : new Uri(current, location);
            if (target.Scheme != Uri.UriSchemeHttps && !(target.Scheme == Uri.UriSchemeHttp && Options.AllowHttpRedirects))
            {
                return (null, Refused(current, target.Scheme == Uri.UriSchemeHttp
                    ? $"redirected to plain http ({target.GetLeftPart(UriPartial.Authority)}), which is refused: a download is followed over https only. If the registry's object store really serves plain http on a trusted network, allow it with 'amc config set registry.redirect.allow_http true' (the digest is still verified)"
                    : $"redirected to a '{target.Scheme}' address, which is refused: a download is followed over https only"));
            }

            current = target;
            using var next = new HttpRequestMessage(HttpMethod.Get, current);
            next.Headers.Range = request.Headers.Range;
            var sameOrigin = http.BaseAddress is { } registry
                && Uri.Compare(current, registry, UriComponents.SchemeAndServer, UriFormat.Unescaped, StringComparison.OrdinalIgnoreCase) == 0;
            response = await SendForHeadersAsync(sameOrigin ? http : External, next, cancellationToken);
        }

        return (response, null);
    }

    private static Problem Refused(Uri at, string what) => new()
    {
        Type = ProblemTypes.Internal,
        Title = "Redirect refused",
        Status = 0,
        Detail = $"The download from {at.GetLeftPart(UriPartial.Path)} {what}.",
    };

    private static bool IsRedirect(HttpStatusCode status) =>
        status is HttpStatusCode.MovedPermanently or HttpStatusCode.Found or HttpStatusCode.SeeOther or HttpStatusCode.TemporaryRedirect or HttpStatusCode.PermanentRedirect;
}
