using System.Diagnostics.Metrics;
using System.Globalization;
using Aar.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Aar.Server.Metrics;

/// <summary>
/// Requests answered, by listener, route template, method and status; and the bytes of <see cref="TransportBytes"/>.
/// Every label is bounded: the route is the template that matched (or <c>none</c>), never the path; an unknown method
/// is <c>OTHER</c>, so a client inventing methods cannot grow the series.
/// </summary>
internal sealed class RequestMetrics : IMetricsSource
{
    private readonly ObservedTotals<RequestKey> _requests = new(static key =>
    [
        new("listener", key.Admin ? "admin" : "tls"),
        new("route", key.Route),
        new("method", key.Method),
        new("status", key.Status.ToString(CultureInfo.InvariantCulture)),
    ]);

    public RequestMetrics(IMeterFactory meters, TransportBytes transport)
    {
        var meter = RegistryMeter.Create(meters);
        meter.CreateObservableCounter<long>("http_requests_total", _requests.Observe, description: "Requests answered on the mTLS port (listener tls) and the admin socket (admin), by route template, method and status.");
        meter.CreateObservableCounter<long>("http_received_bytes_total", () => transport.Received, unit: "By", description: "HTTP bytes received on the mTLS port (inside TLS).");
        meter.CreateObservableCounter<long>("http_sent_bytes_total", () => transport.Sent, unit: "By", description: "HTTP bytes sent on the mTLS port (inside TLS).");
    }

    public long Count(bool admin, string route, string method, int status) => _requests[new RequestKey(admin, route, method, status)];

    public void Record(HttpContext context, int status)
    {
        var route = context.GetEndpoint() is RouteEndpoint { RoutePattern.RawText: { } template } ? template : "none";
        // The metrics listener's requests never get here, so a request that is not HTTPS came over the admin socket.
        _requests.Add(new RequestKey(!context.Request.IsHttps, route, MethodLabel(context.Request.Method), status));
    }

    private static string MethodLabel(string method) => HttpMethods.GetCanonicalizedValue(method) switch
    {
        var known when HttpMethods.IsGet(known) || HttpMethods.IsHead(known) || HttpMethods.IsPost(known) || HttpMethods.IsPut(known)
            || HttpMethods.IsPatch(known) || HttpMethods.IsDelete(known) || HttpMethods.IsOptions(known) => known,
        _ => "OTHER",
    };

    private readonly record struct RequestKey(bool Admin, string Route, string Method, int Status);
}
