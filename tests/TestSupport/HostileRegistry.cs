using System.Net;
using System.Security.Authentication;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Aar.Protocol.Certificates;
using Aar.Protocol.Registry;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Microsoft.Extensions.Logging;
using Xunit.Abstractions;

namespace TestSupport;

/// <summary>The ways <see cref="HostileRegistry"/> can misbehave; <see cref="None"/> speaks the protocol correctly.</summary>
public enum Misbehaviour
{
    None,

    /// <summary><c>GET /1.0</c> answers 200 <c>{bad!</c>.</summary>
    InfoNotJson,

    /// <summary><c>GET /1.0</c> answers 200 with half a JSON object, then closes.</summary>
    InfoTruncated,

    /// <summary><c>GET /1.0</c> answers 200 <c>null</c>.</summary>
    InfoJsonNull,

    /// <summary>The listing has <c>"applications": null</c>.</summary>
    ListingNullApplications,

    /// <summary>The listing's applications array holds a <c>null</c>.</summary>
    ListingNullElement,

    /// <summary>The listing names <c>generation</c> twice.</summary>
    ListingDuplicateProperty,

    /// <summary>The listing's <c>generation</c> is a string, <c>size</c> an object.</summary>
    ListingWrongTypes,

    /// <summary>The listing names the same application twice.</summary>
    ListingDuplicateApplication,

    /// <summary>The listing announces 100 MiB in its Content-Length.</summary>
    ListingHugeContentLength,

    /// <summary>The listing never ends: an open array followed by whitespace, forever (no Content-Length).</summary>
    ListingEndless,

    /// <summary>The blob download sends its first 64 KiB, then nothing, with the socket open.</summary>
    BlobStalls,

    /// <summary>The listing says 1 KiB; the blob download sends 300 MiB (no Content-Length).</summary>
    BlobOversized,

    /// <summary>The blob download redirects to a plain-http address.</summary>
    BlobRedirectToHttp,

    /// <summary>The blob download redirects to itself, forever.</summary>
    BlobRedirectLoop,
}

/// <summary>
/// A fake registry on real Kestrel with real mutual TLS and runtime certificates: it speaks enough of the registry
/// protocol (<c>GET /1.0</c>, the listing, deletions, blob downloads with Range) to serve one application to a pulling
/// AMS, and can be switched to misbehave in one of the <see cref="Misbehaviour"/> ways at any moment.
/// </summary>
public sealed class HostileRegistry : IAsyncDisposable
{
    private const string Owner = "ab00000000000000000000000000000000000000000000000000000000000000";
    private readonly WebApplication _app;
    private readonly X509Certificate2 _certificate;
    private readonly byte[] _package;
    private readonly BlobDigest _digest;
    private long _blobBytesSent;
    private int _blobRequests;

    private HostileRegistry(WebApplication app, X509Certificate2 certificate, string name, byte[] package)
    {
        _app = app;
        _certificate = certificate;
        Name = name;
        _package = package;
        _digest = BlobDigest.FromHash(SHA256.HashData(package));
    }

    /// <summary>The application the registry serves (version 1).</summary>
    public string Name { get; }

    public string Digest => _digest.ToString();

    public Uri Address { get; private set; } = null!;

    /// <summary>The plain-http listener a <see cref="Misbehaviour.BlobRedirectToHttp"/> download is sent to.</summary>
    public Uri PlainAddress { get; private set; } = null!;

    public string ServerFingerprint => Fingerprint.Of(_certificate).Hex;

    public string ServerCertificatePem => TestCertificates.Pem(_certificate);

    public Misbehaviour Mode { get; set; }

    /// <summary>Bytes of blob bodies written to the sockets so far (what a peer could have received).</summary>
    public long BlobBytesSent => Interlocked.Read(ref _blobBytesSent);

    public int BlobRequests => Volatile.Read(ref _blobRequests);

    /// <summary>Size of the package the registry serves, in bytes.</summary>
    public long PackageLength => _package.Length;

    public static async Task<HostileRegistry> StartAsync(ITestOutputHelper output, string name, byte[] package)
    {
        var certificate = SelfSignedCertificates.CreateServer("hostile-registry", ["localhost"], [IPAddress.Loopback], TimeProvider.System);
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders().AddProvider(new XunitLoggerProvider(output));
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.Listen(IPAddress.Loopback, 0, listen =>
            {
                listen.Protocols = HttpProtocols.Http1;
                listen.UseHttps(new HttpsConnectionAdapterOptions
                {
                    ServerCertificate = certificate,
                    SslProtocols = SslProtocols.Tls12 | SslProtocols.Tls13,
                    ClientCertificateMode = ClientCertificateMode.RequireCertificate,
                    ClientCertificateValidation = static (_, _, _) => true,
                });
            });
            // A plain-http "object store" for redirects to http: it serves the package at /plain/{digest}.
            kestrel.Listen(IPAddress.Loopback, 0, listen => listen.Protocols = HttpProtocols.Http1);
        });
        var app = builder.Build();
        var registry = new HostileRegistry(app, certificate, name, package);
        registry.Map(app);
        await app.StartAsync();
        registry.Address = new Uri(app.Urls.First(u => u.StartsWith("https:", StringComparison.Ordinal)));
        registry.PlainAddress = new Uri(app.Urls.First(u => u.StartsWith("http:", StringComparison.Ordinal)));
        return registry;
    }

    private void Map(WebApplication app)
    {
        app.MapGet(RegistryRoutes.Prefix, Info);
        app.MapGet(RegistryRoutes.Applications, Listing);
        app.MapGet(RegistryRoutes.Deletions, (HttpContext context) =>
            Json(context, """{"generation":1,"since":1,"deletions":[]}"""));
        app.MapGet(RegistryRoutes.Blobs + "/{digest}", Blob);
        app.MapGet("/plain/{digest}", (HttpContext context, string digest) => digest == _digest.ToString() ? ServeAsync(context) : Task.CompletedTask);
        app.MapGet("/loop/{hop:int}", (int hop) => Results.Redirect($"/loop/{hop + 1}"));
    }

    private async Task Info(HttpContext context)
    {
        var fingerprint = Fingerprint.Of(context.Connection.ClientCertificate!).Hex;
        var info = $$"""{"server_version":"hostile","api_version":"1.0","fingerprint":"{{fingerprint}}","role":"client","name":"ams","certificate_expires_at":"2030-01-01T00:00:00+00:00"}""";
        switch (Mode)
        {
            case Misbehaviour.InfoNotJson:
                await Json(context, "{bad!");
                break;
            case Misbehaviour.InfoTruncated:
                // Content-Length promises the whole object; half of it arrives, then the connection closes.
                context.Response.ContentType = "application/json";
                context.Response.ContentLength = info.Length;
                await context.Response.Body.WriteAsync(Encoding.UTF8.GetBytes(info[..(info.Length / 2)]));
                await context.Response.Body.FlushAsync();
                context.Abort();
                break;
            case Misbehaviour.InfoJsonNull:
                await Json(context, "null");
                break;
            default:
                await Json(context, info);
                break;
        }
    }

    private async Task Listing(HttpContext context)
    {
        var size = Mode == Misbehaviour.BlobOversized ? 1024 : _package.Length;
        var version = $$"""{"version":1,"digest":"{{_digest}}","size":{{size}},"manifest":{},"tags":[],"created_at":"2026-01-01T00:00:00+00:00","publisher":"{{Owner}}","generation":1}""";
        var application = $$"""{"name":"{{Name}}","architecture":"amd64","owner":"{{Owner}}","created_at":"2026-01-01T00:00:00+00:00","versions":[{{version}}]}""";
        switch (Mode)
        {
            case Misbehaviour.ListingNullApplications:
                await Json(context, """{"generation":1,"applications":null}""");
                break;
            case Misbehaviour.ListingNullElement:
                await Json(context, """{"generation":1,"applications":[null]}""");
                break;
            case Misbehaviour.ListingDuplicateProperty:
                await Json(context, $$"""{"generation":1,"generation":2,"applications":[{{application}}]}""");
                break;
            case Misbehaviour.ListingWrongTypes:
                await Json(context, $$"""{"generation":"one","applications":[{{application.Replace($"\"size\":{size}", "\"size\":{\"bytes\":1}", StringComparison.Ordinal)}}]}""");
                break;
            case Misbehaviour.ListingDuplicateApplication:
                await Json(context, $$"""{"generation":1,"applications":[{{application}},{{application}}]}""");
                break;
            case Misbehaviour.ListingHugeContentLength:
                context.Response.ContentType = "application/json";
                context.Response.ContentLength = 100L * 1024 * 1024;
                await context.Response.Body.WriteAsync("{\"generation\":1,"u8.ToArray());
                await context.Response.Body.FlushAsync();
                await Task.Delay(TimeSpan.FromSeconds(1));
                context.Abort();
                break;
            case Misbehaviour.ListingEndless:
                context.Response.ContentType = "application/json";
                await context.Response.Body.WriteAsync("{\"generation\":1,\"applications\":["u8.ToArray());
                var spaces = new byte[64 * 1024];
                Array.Fill(spaces, (byte)' ');
                while (!context.RequestAborted.IsCancellationRequested)
                {
                    await context.Response.Body.WriteAsync(spaces, context.RequestAborted);
                }

                break;
            default:
                await Json(context, $$"""{"generation":1,"applications":[{{application}}]}""");
                break;
        }
    }

    private async Task Blob(HttpContext context, string digest)
    {
        Interlocked.Increment(ref _blobRequests);
        if (digest != _digest.ToString())
        {
            context.Response.StatusCode = 404;
            return;
        }

        switch (Mode)
        {
            case Misbehaviour.BlobStalls:
                await StallAsync(context);
                break;
            case Misbehaviour.BlobOversized:
                await EndlessAsync(context, 300L * 1024 * 1024);
                break;
            case Misbehaviour.BlobRedirectToHttp:
                context.Response.Redirect($"http://127.0.0.1:{PlainAddress.Port}/plain/{digest}");
                break;
            case Misbehaviour.BlobRedirectLoop:
                context.Response.Redirect("/loop/1");
                break;
            default:
                await ServeAsync(context);
                break;
        }
    }

    /// <summary>Serves the package, honouring <c>Range: bytes=N-</c>, as the registry does.</summary>
    private async Task ServeAsync(HttpContext context)
    {
        var from = Offset(context);
        if (from > 0)
        {
            context.Response.StatusCode = 206;
            context.Response.Headers.ContentRange = $"bytes {from}-{_package.Length - 1}/{_package.Length}";
        }

        context.Response.ContentLength = _package.Length - from;
        await context.Response.Body.WriteAsync(_package.AsMemory(from), context.RequestAborted);
        Interlocked.Add(ref _blobBytesSent, _package.Length - from);
    }

    /// <summary>The first 64 KiB of a fresh download, then nothing: headers sent, socket open, until the client gives up.</summary>
    private async Task StallAsync(HttpContext context)
    {
        var from = Offset(context);
        var resumed = from > 0;
        context.Response.StatusCode = resumed ? 206 : 200;
        if (resumed)
        {
            context.Response.Headers.ContentRange = $"bytes {from}-{_package.Length - 1}/{_package.Length}";
        }

        context.Response.ContentLength = _package.Length - from;
        if (!resumed)
        {
            var first = Math.Min(64 * 1024, _package.Length - 1);
            await context.Response.Body.WriteAsync(_package.AsMemory(0, first), context.RequestAborted);
            Interlocked.Add(ref _blobBytesSent, first);
        }

        await context.Response.Body.FlushAsync(context.RequestAborted);
        try
        {
            await Task.Delay(Timeout.Infinite, context.RequestAborted);
        }
        catch (OperationCanceledException)
        {
            // The client cut the connection, as it should.
        }
    }

    private static int Offset(HttpContext context) =>
        context.Request.Headers.Range.ToString() is { Length: > 0 } range && range.StartsWith("bytes=", StringComparison.Ordinal)
            ? int.Parse(range["bytes=".Length..].TrimEnd('-'), System.Globalization.CultureInfo.InvariantCulture)
            : 0;

    private async Task EndlessAsync(HttpContext context, long total)
    {
        var chunk = new byte[64 * 1024];
        try
        {
            for (long sent = 0; sent < total; sent += chunk.Length)
            {
                await context.Response.Body.WriteAsync(chunk, context.RequestAborted);
                Interlocked.Add(ref _blobBytesSent, chunk.Length);
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException)
        {
            // The client stopped reading and closed, as it should.
        }
    }

    private static async Task Json(HttpContext context, string body)
    {
        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(body, context.RequestAborted);
    }

    public async ValueTask DisposeAsync()
    {
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        await _app.StopAsync(stop.Token);
        await _app.DisposeAsync();
        _certificate.Dispose();
    }
}
