using System.Net;
using System.Security.Authentication;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using Aar.Protocol.Certificates;
using Aar.Protocol;
using Aar.Protocol.Registry;
using Aar.Protocol.Signing;
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

    /// <summary>The listing envelope carries no signature at all.</summary>
    ListingUnsigned,

    /// <summary>One byte of the signed listing's payload is flipped after signing.</summary>
    ListingFlippedByte,

    /// <summary>The listing is correctly signed, but expired an hour ago (a replay of an old answer).</summary>
    ListingExpired,

    /// <summary>The listing is signed by a key that is not the registry's (an impostor with a copy of its TLS key).</summary>
    ListingForeignKey,

    /// <summary>The listing is signed for another architecture than the one asked.</summary>
    ListingOtherQuery,

    /// <summary>A correctly signed listing of generation 0, older than the generation 1 served before (a replay).</summary>
    ListingOlderGeneration,

    /// <summary>The listing says generation 2 without the application and a deletion record deletes it, but the records are unsigned.</summary>
    DeletionsUnsigned,

    /// <summary>As <see cref="DeletionsUnsigned"/>, with the records signed by a key that is not the registry's.</summary>
    DeletionsForeignKey,

    /// <summary>Not a misbehaviour: generation 2 deletes the application, listing and records correctly signed.</summary>
    DeletionsSigned,

    /// <summary>The blob download sends its first 64 KiB, then nothing, with the socket open.</summary>
    BlobStalls,

    /// <summary>The listing says 1 KiB; the blob download sends 300 MiB (no Content-Length).</summary>
    BlobOversized,

    /// <summary>The blob download redirects to a plain-http address.</summary>
    BlobRedirectToHttp,

    /// <summary>The blob download redirects to itself, forever.</summary>
    BlobRedirectLoop,

    /// <summary>An upload chunk's body is never read and never answered, with the socket open.</summary>
    UploadBodyNotRead,

    /// <summary>An upload chunk's body is read to its end (and discarded), then never answered.</summary>
    UploadNoAnswer,

    /// <summary>The finishing PUT of an upload is never answered.</summary>
    UploadFinishNoAnswer,

    /// <summary>Not a misbehaviour: upload chunks are read at about 16 MiB/s (a slow uplink), then answered.</summary>
    UploadSlowReader,
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
    private readonly SigningKeyPair _foreignKey = SigningKeyPair.Create();
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, long> _uploads = new(StringComparer.Ordinal);
    private long _blobBytesSent;
    private int _blobRequests;
    private int _uploadStalls;

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

    /// <summary>The role <c>GET /1.0</c> tells the caller it has: <c>client</c> (a pulling AMS) or <c>publisher</c> (a pushing one).</summary>
    public string Role { get; set; } = "client";

    /// <summary>Versions created with <c>PUT /1.0/applications/{name}/{architecture}/versions/{version}</c>, as "name/version/digest".</summary>
    public System.Collections.Concurrent.ConcurrentQueue<string> CreatedVersions { get; } = new();

    /// <summary>The key this registry signs listings with; replace it (and add a <see cref="Rotations"/> entry) to rotate.</summary>
    public SigningKeyPair SigningKey { get; set; } = SigningKeyPair.Create();

    /// <summary>What <c>GET /1.0/signing-key</c> lists as rotations, oldest first.</summary>
    public List<SignedEnvelope> Rotations { get; } = [];

    /// <summary>Bytes of blob bodies written to the sockets so far (what a peer could have received).</summary>
    public long BlobBytesSent => Interlocked.Read(ref _blobBytesSent);

    public int BlobRequests => Volatile.Read(ref _blobRequests);

    /// <summary>Upload requests an <c>Upload…</c> misbehaviour started to hold (neither read further nor answered).</summary>
    public int UploadStalls => Volatile.Read(ref _uploadStalls);

    /// <summary>Upload chunk bytes read and counted into a session's offset (stalled or discarded bodies are not).</summary>
    public long UploadBytesKept => _uploads.Values.Sum();

    /// <summary>Size of the package the registry serves, in bytes.</summary>
    public long PackageLength => _package.Length;

    public static async Task<HostileRegistry> StartAsync(ITestOutputHelper output, string name, byte[] package)
    {
        var certificate = SelfSignedCertificates.CreateServer("hostile-registry", ["localhost"], [IPAddress.Loopback], TimeProvider.System);
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders().AddProvider(new XunitLoggerProvider(output));
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            // Upload chunks are as large as a client makes them (64 MiB by default).
            kestrel.Limits.MaxRequestBodySize = null;
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
        app.MapGet(RegistryRoutes.SignedApplications, Listing);
        app.MapGet(RegistryRoutes.SignedDeletions, Deletions);
        app.MapGet(RegistryRoutes.SigningKey, (HttpContext context) => Json(context, JsonSerializer.Serialize(
            new SigningKeyInfo { KeyId = SigningKey.PublicKey.KeyId, PublicKey = SigningKey.PublicKey.Base64, Rotations = [.. Rotations] },
            ProtocolJsonContext.Default.SigningKeyInfo)));
        app.MapGet(RegistryRoutes.Blobs + "/{digest}", Blob);
        app.MapGet("/plain/{digest}", (HttpContext context, string digest) => digest == _digest.ToString() ? ServeAsync(context) : Task.CompletedTask);
        app.MapGet("/loop/{hop:int}", (int hop) => Results.Redirect($"/loop/{hop + 1}"));
        app.MapMethods(RegistryRoutes.Blobs + "/{digest}", ["HEAD"], () => Results.NotFound());
        app.MapPost(RegistryRoutes.Uploads, StartUpload);
        app.MapGet(RegistryRoutes.Uploads + "/{id}", (HttpContext context, string id) => _uploads.TryGetValue(id, out var offset) ? Session(context, id, offset, 200) : Task.FromResult(context.Response.StatusCode = 404));
        app.MapPatch(RegistryRoutes.Uploads + "/{id}", AppendUpload);
        app.MapPut(RegistryRoutes.Uploads + "/{id}", FinishUpload);
        app.MapPut(RegistryRoutes.Applications + "/{name}/{architecture}/versions/{version:int}", CreateVersion);
    }

    /// <summary>Accepts any version a publisher creates and answers as the registry does (nothing is listed afterwards).</summary>
    private async Task CreateVersion(HttpContext context, string name, string architecture, int version)
    {
        var request = await JsonSerializer.DeserializeAsync(context.Request.Body, ProtocolJsonContext.Default.CreateVersionRequest, context.RequestAborted);
        CreatedVersions.Enqueue($"{name}/{version}/{request!.Digest}");
        var publisher = Fingerprint.Of(context.Connection.ClientCertificate!).Hex;
        context.Response.StatusCode = 201;
        await Json(context, $$"""{"version":{{version}},"digest":"{{request!.Digest}}","size":{{request.Size}},"manifest":{},"tags":[],"created_at":"2026-01-01T00:00:00+00:00","publisher":"{{publisher}}","generation":2}""");
    }

    private Task StartUpload(HttpContext context)
    {
        var id = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8));
        _uploads[id] = 0;
        return Session(context, id, 0, 201);
    }

    /// <summary>A chunk, taken the way <see cref="Mode"/> says; an honest one moves the session's offset to its end.</summary>
    private async Task AppendUpload(HttpContext context, string id)
    {
        if (!_uploads.TryGetValue(id, out var offset))
        {
            context.Response.StatusCode = 404;
            return;
        }

        if (Mode == Misbehaviour.UploadBodyNotRead)
        {
            await HoldAsync(context);
            return;
        }

        var buffer = new byte[1024 * 1024];
        var clock = System.Diagnostics.Stopwatch.StartNew();
        long read = 0;
        int n;
        while ((n = await context.Request.Body.ReadAsync(buffer, context.RequestAborted)) > 0)
        {
            read += n;
            var due = TimeSpan.FromSeconds(read / (16.0 * 1024 * 1024)) - clock.Elapsed;
            if (Mode == Misbehaviour.UploadSlowReader && due > TimeSpan.Zero)
            {
                // About 16 MiB/s, however the reads are cut.
                await Task.Delay(due, context.RequestAborted);
            }
        }

        if (Mode == Misbehaviour.UploadNoAnswer)
        {
            await HoldAsync(context);
            return;
        }

        var start = context.Request.Headers.ContentRange.ToString() is { Length: > 0 } range
            ? long.Parse(range["bytes ".Length..range.IndexOf('-', StringComparison.Ordinal)], System.Globalization.CultureInfo.InvariantCulture)
            : offset;
        _uploads[id] = start + read;
        await Session(context, id, start + read, 202);
    }

    private async Task FinishUpload(HttpContext context, string id)
    {
        if (Mode == Misbehaviour.UploadFinishNoAnswer)
        {
            await HoldAsync(context);
            return;
        }

        var size = _uploads.TryGetValue(id, out var offset) ? offset : 0;
        context.Response.StatusCode = 201;
        await Json(context, $$"""{"digest":"{{context.Request.Query["digest"]}}","size":{{size}}}""");
    }

    private static Task Session(HttpContext context, string id, long offset, int status)
    {
        context.Response.StatusCode = status;
        context.Response.Headers[RegistryRoutes.UploadOffsetHeader] = offset.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return Json(context, $$"""{"id":"{{id}}","offset":{{offset}},"expires_at":"2030-01-01T00:00:00+00:00","location":"{{RegistryRoutes.Upload(id)}}"}""");
    }

    /// <summary>
    /// Neither reads nor answers until the client cuts the connection (which Kestrel may only notice at shutdown: with
    /// the body unread, it stops reading the socket).
    /// </summary>
    private async Task HoldAsync(HttpContext context)
    {
        Interlocked.Increment(ref _uploadStalls);
        try
        {
            await Task.Delay(Timeout.Infinite, context.RequestAborted);
        }
        catch (OperationCanceledException)
        {
            // The client gave up, as it should.
        }
    }

    private async Task Info(HttpContext context)
    {
        var fingerprint = Fingerprint.Of(context.Connection.ClientCertificate!).Hex;
        var info = $$"""{"server_version":"hostile","api_version":"1.0","fingerprint":"{{fingerprint}}","role":"{{Role}}","name":"ams","certificate_expires_at":"2030-01-01T00:00:00+00:00"}""";
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
        var deleting = Mode is Misbehaviour.DeletionsUnsigned or Misbehaviour.DeletionsForeignKey or Misbehaviour.DeletionsSigned;
        var generation = deleting ? 2 : Mode == Misbehaviour.ListingOlderGeneration ? 0 : 1;
        var version = $$"""{"version":1,"digest":"{{_digest}}","size":{{size}},"manifest":{},"tags":[],"created_at":"2026-01-01T00:00:00+00:00","publisher":"{{Owner}}","generation":1}""";
        var application = $$"""{"name":"{{Name}}","architecture":"amd64","owner":"{{Owner}}","created_at":"2026-01-01T00:00:00+00:00","versions":[{{version}}]}""";
        switch (Mode)
        {
            case Misbehaviour.ListingNullApplications:
                await SignedAsync(context, """{"generation":1,"applications":null}""");
                break;
            case Misbehaviour.ListingNullElement:
                await SignedAsync(context, """{"generation":1,"applications":[null]}""");
                break;
            case Misbehaviour.ListingDuplicateProperty:
                await SignedAsync(context, $$"""{"generation":1,"generation":2,"applications":[{{application}}]}""");
                break;
            case Misbehaviour.ListingWrongTypes:
                await SignedAsync(context, $$"""{"generation":"one","applications":[{{application.Replace($"\"size\":{size}", "\"size\":{\"bytes\":1}", StringComparison.Ordinal)}}]}""");
                break;
            case Misbehaviour.ListingDuplicateApplication:
                await SignedAsync(context, $$"""{"generation":1,"applications":[{{application}},{{application}}]}""");
                break;
            case Misbehaviour.ListingHugeContentLength:
                context.Response.ContentType = "application/json";
                context.Response.ContentLength = 100L * 1024 * 1024;
                await context.Response.Body.WriteAsync("{\"payloadType\":"u8.ToArray());
                await context.Response.Body.FlushAsync();
                await Task.Delay(TimeSpan.FromSeconds(1));
                context.Abort();
                break;
            case Misbehaviour.ListingEndless:
                context.Response.ContentType = "application/json";
                await context.Response.Body.WriteAsync("{\"signatures\":["u8.ToArray());
                var spaces = new byte[64 * 1024];
                Array.Fill(spaces, (byte)' ');
                while (!context.RequestAborted.IsCancellationRequested)
                {
                    await context.Response.Body.WriteAsync(spaces, context.RequestAborted);
                }

                break;
            default:
                await SignedAsync(context, $$"""{"generation":{{generation}},"applications":[{{(deleting ? "" : application)}}]}""");
                break;
        }
    }

    private Task Deletions(HttpContext context)
    {
        var since = long.Parse(context.Request.Query["since"].ToString(), System.Globalization.CultureInfo.InvariantCulture);
        var deleting = Mode is Misbehaviour.DeletionsUnsigned or Misbehaviour.DeletionsForeignKey or Misbehaviour.DeletionsSigned;
        var deletions = deleting
            ? $$"""[{"generation":2,"name":"{{Name}}","architecture":"amd64","deleted_at":"2026-01-02T00:00:00+00:00"}]"""
            : "[]";
        var generation = deleting ? 2 : 1;
        var now = DateTimeOffset.UtcNow;
        var payload = Encoding.UTF8.GetBytes($$"""{"generation":{{generation}},"since":{{since}},"issued_at":"{{now:O}}","expires_at":"{{now.AddHours(1):O}}","deletions":{{deletions}}}""");
        var envelope = Mode switch
        {
            Misbehaviour.DeletionsUnsigned => SignedEnvelope.Sign(SignedDeletions.PayloadType, payload, SigningKey) with { Signatures = [] },
            Misbehaviour.DeletionsForeignKey => SignedEnvelope.Sign(SignedDeletions.PayloadType, payload, _foreignKey),
            _ => SignedEnvelope.Sign(SignedDeletions.PayloadType, payload, SigningKey),
        };
        return Json(context, JsonSerializer.Serialize(envelope, ProtocolJsonContext.Default.SignedEnvelope));
    }

    /// <summary>
    /// Signs <paramref name="listing"/> (a listing body: generation and applications) as the registry does, adding the
    /// query it answers and the validity, then spoils the envelope the way <see cref="Mode"/> asks.
    /// </summary>
    private Task SignedAsync(HttpContext context, string listing)
    {
        var now = DateTimeOffset.UtcNow;
        var (issued, expires) = Mode == Misbehaviour.ListingExpired ? (now.AddHours(-2), now.AddHours(-1)) : (now, now.AddHours(1));
        var architecture = Mode == Misbehaviour.ListingOtherQuery ? "arm64" : context.Request.Query["architecture"].ToString();
        var tags = context.Request.Query["tags"].ToString();
        var head = $$"""{"issued_at":"{{issued:O}}","expires_at":"{{expires:O}}","architecture":{{(architecture.Length > 0 ? Quote(architecture) : "null")}},"tags":{{(tags.Length > 0 ? "[" + string.Join(',', tags.Split(',').Select(Quote)) + "]" : "null")}},""";
        var payload = Encoding.UTF8.GetBytes(head + listing[1..]);
        var envelope = SignedEnvelope.Sign(SignedApplications.PayloadType, payload, Mode == Misbehaviour.ListingForeignKey ? _foreignKey : SigningKey);
        envelope = Mode switch
        {
            Misbehaviour.ListingUnsigned => envelope with { Signatures = [] },
            Misbehaviour.ListingFlippedByte => envelope with { Payload = Convert.ToBase64String(Flip(payload)) },
            _ => envelope,
        };
        SetListingHeaders(context, Mode == Misbehaviour.ListingOlderGeneration ? 0 : Mode is Misbehaviour.DeletionsUnsigned or Misbehaviour.DeletionsForeignKey or Misbehaviour.DeletionsSigned ? 2 : 1);
        return Json(context, JsonSerializer.Serialize(envelope, ProtocolJsonContext.Default.SignedEnvelope));
    }

    private static string Quote(string value) => "\"" + JsonEncodedText.Encode(value) + "\"";

    private static byte[] Flip(byte[] payload)
    {
        var flipped = (byte[])payload.Clone();
        // A digit of the generation: still JSON, so only the signature can tell.
        var at = Encoding.UTF8.GetString(flipped).IndexOf("\"generation\":1", StringComparison.Ordinal) + "\"generation\":".Length;
        flipped[at] = (byte)'7';
        return flipped;
    }

    private static void SetListingHeaders(HttpContext context, long generation)
    {
        context.Response.Headers.ETag = $"\"{generation}\"";
        context.Response.Headers[RegistryRoutes.GenerationHeader] = generation.ToString(System.Globalization.CultureInfo.InvariantCulture);
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
        _foreignKey.Dispose();
        SigningKey.Dispose();
    }
}
