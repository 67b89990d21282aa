using Aar.Protocol;
using Aar.Protocol.Http;
using Aar.Protocol.Registry;
using Aar.Server.Access;
using Aar.Server.Problems;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Net.Http.Headers;

namespace Aar.Server.Storage;

/// <summary>
/// <c>/1.0/blobs/{digest}</c>: HEAD (the "already have it?" check), GET with single ranges and ETag = digest, and a
/// monolithic PUT. Large or resumable uploads use <c>/1.0/uploads</c>.
/// </summary>
internal static class BlobEndpoints
{
    public static IEndpointRouteBuilder MapBlobs(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup(RegistryRoutes.Blobs).AllowAnyTrustedCaller();
        group.MapMethods("/{digest}", [HttpMethods.Head], Head);
        group.MapGet("/{digest}", Get);
        group.MapPut("/{digest}", Put).RequirePublisher();
        return app;
    }

    private static async Task<IResult> Head(string digest, HttpContext context, IBlobStore blobs, TimeProvider time, CancellationToken cancellationToken)
    {
        if (!BlobDigest.TryParse(digest, out var parsed))
        {
            return InvalidDigest(digest);
        }

        var size = await blobs.GetSizeAsync(parsed, cancellationToken);
        // "Already have it?" usually precedes naming the blob in a version: keep it from the collector for a while.
        if (size is null || !await blobs.TouchAsync(parsed, time.GetUtcNow(), cancellationToken))
        {
            // HEAD has no body; the status and type header say enough.
            return Results.StatusCode(StatusCodes.Status404NotFound);
        }

        SetHeaders(context, parsed);
        context.Response.ContentLength = size;
        context.Response.ContentType = "application/octet-stream";
        return Results.Empty;
    }

    private static async Task<IResult> Get(string digest, HttpContext context, IBlobStore blobs, CancellationToken cancellationToken)
    {
        if (!BlobDigest.TryParse(digest, out var parsed))
        {
            return InvalidDigest(digest);
        }

        var content = await blobs.OpenReadAsync(parsed, cancellationToken);
        if (content is null)
        {
            return ProblemResponses.Result(Unknown(parsed));
        }

        SetHeaders(context, parsed);
        if (IsUnsatisfiable(context, content.Size))
        {
            // Answered here rather than by the file result, so the 416 carries a problem body like every error.
            context.Response.Headers.ContentRange = $"bytes */{content.Size}";
            return ProblemResponses.Result(new Problem
            {
                Type = ProblemTypes.RangeNotSatisfiable,
                Title = "Range not satisfiable",
                Status = StatusCodes.Status416RangeNotSatisfiable,
                Detail = $"The requested range starts past the end of blob {parsed}, which has {content.Size} bytes.",
            });
        }

        var etag = new EntityTagHeaderValue($"\"{parsed}\"");
        if (content.Redirect is { } redirect)
        {
            // 307 keeps the method; the client re-sends its Range header to the object store itself.
            return Results.Redirect(redirect.AbsoluteUri, permanent: false, preserveMethod: true);
        }

        return await ServeRangeAsync(context, content, etag, cancellationToken);
    }

    /// <summary>
    /// Serves a blob's bytes, or one range of them (a multi-range request gets the whole blob); the range is asked of
    /// the store (S3 streams cannot seek). Local files go this way too rather than through Kestrel's SendFileAsync:
    /// under TLS that is a copy loop of 64 KiB reads, and reading a blob that is not in the page cache (blobs are
    /// dropped from it once written, see Aar.IO.Writeback) cost 1.9 CPU-s per GiB in 64 KiB reads against
    /// 0.7 in <see cref="ReadBlock"/> reads on the benchmark VM.
    /// </summary>
    private static async Task<IResult> ServeRangeAsync(HttpContext context, BlobContent content, EntityTagHeaderValue etag, CancellationToken cancellationToken)
    {
        context.Response.Headers.ETag = etag.ToString();
        context.Response.Headers.AcceptRanges = "bytes";
        if (context.Request.GetTypedHeaders().IfNoneMatch is { Count: > 0 } known && known.Any(k => k.Equals(EntityTagHeaderValue.Any) || k.Compare(etag, useStrongComparison: false)))
        {
            return Results.StatusCode(StatusCodes.Status304NotModified);
        }

        var range = context.Request.GetTypedHeaders().Range;
        var ifRange = context.Request.GetTypedHeaders().IfRange;
        var honour = range is { Ranges.Count: 1 } && string.Equals(range.Unit.Value, "bytes", StringComparison.OrdinalIgnoreCase)
            && (ifRange?.EntityTag is null || ifRange.EntityTag.Compare(etag, useStrongComparison: true));
        var (from, to) = (0L, content.Size - 1);
        if (honour && content.Size > 0)
        {
            var only = range!.Ranges.First();
            (from, to) = only.From is { } start
                ? (start, Math.Min(only.To ?? content.Size - 1, content.Size - 1))
                : (Math.Max(0, content.Size - only.To!.Value), content.Size - 1);
            context.Response.StatusCode = StatusCodes.Status206PartialContent;
            context.Response.Headers.ContentRange = $"bytes {from}-{to}/{content.Size}";
        }

        var length = to - from + 1;
        context.Response.ContentType = "application/octet-stream";
        context.Response.ContentLength = length;
        if (HttpMethods.IsHead(context.Request.Method) || length == 0)
        {
            return Results.Empty;
        }

        // Opened only now: a store failure before the first byte still becomes a 503 problem, not a cut response.
        await using var stream = await content.OpenAsync(from, length, cancellationToken);
        // Read straight into the response pipe's memory: the TLS layer encrypts from there, so a byte is copied
        // once in user space (by the kernel, file to pipe) instead of twice (file to our buffer, buffer to pipe).
        var writer = context.Response.BodyWriter;
        for (var remaining = length; remaining > 0;)
        {
            var memory = writer.GetMemory(ReadBlock);
            var read = await stream.ReadAsync(memory[..(int)Math.Min(Math.Min(memory.Length, ReadBlock), remaining)], cancellationToken);
            if (read == 0)
            {
                // The headers are gone: all that is left is to cut the response, which the client sees as short.
                throw new IOException($"Blob {content.Digest} ended {remaining} bytes before its recorded size.");
            }

            writer.Advance(read);
            remaining -= read;
            if ((await writer.FlushAsync(cancellationToken)).IsCompleted)
            {
                break;
            }
        }

        return Results.Empty;
    }

    /// <summary>Bytes per read when serving a blob.</summary>
    private const int ReadBlock = 1024 * 1024;

    private static async Task<IResult> Put(string digest, HttpContext context, IBlobStore blobs, BlobLimits limits, TimeProvider time, CancellationToken cancellationToken)
    {
        if (!BlobDigest.TryParse(digest, out var parsed))
        {
            return InvalidDigest(digest);
        }

        var existing = await blobs.GetSizeAsync(parsed, cancellationToken);
        if (existing is not null && !await blobs.TouchAsync(parsed, time.GetUtcNow(), cancellationToken))
        {
            existing = null;
        }
        var expectsContinue = context.Request.Headers.Expect.ToString().Contains("100-continue", StringComparison.OrdinalIgnoreCase);
        if (existing is { } known && expectsContinue)
        {
            // Content-addressed: the registry already has these bytes. The client waits for 100 Continue before
            // sending, so answering now means the body is never transferred.
            SetHeaders(context, parsed);
            return Results.Json(new BlobDescriptor { Digest = parsed.ToString(), Size = known }, ProtocolJsonContext.Default.BlobDescriptor);
        }

        if (RequestBodies.Admit(context, limits.MaxBlobBytes, out var length) is { } refused)
        {
            return ProblemResponses.Result(refused);
        }

        if (existing is { } stored)
        {
            // The client is already sending: answering early would cut its connection mid-send (it would see a
            // broken pipe, not the answer). Read and drop the body; HEAD first, or Expect: 100-continue, avoids this.
            await context.Request.Body.CopyToAsync(Stream.Null, cancellationToken);
            SetHeaders(context, parsed);
            return Results.Json(new BlobDescriptor { Digest = parsed.ToString(), Size = stored }, ProtocolJsonContext.Default.BlobDescriptor);
        }

        var result = await blobs.PutAsync(context.Request.Body, parsed, length, cancellationToken);
        if (result.Outcome == BlobPutOutcome.AlreadyExists)
        {
            // A concurrent upload stored it first; this caller is about to name it: keep it from the collector.
            await blobs.TouchAsync(parsed, time.GetUtcNow(), cancellationToken);
        }

        return Stored(context, result, parsed, length);
    }

    /// <summary>Maps a put outcome to its answer; shared with finishing an upload session.</summary>
    public static IResult Stored(HttpContext context, BlobPutResult result, BlobDigest expected, long declared)
    {
        switch (result.Outcome)
        {
            case BlobPutOutcome.Created or BlobPutOutcome.AlreadyExists:
                SetHeaders(context, result.Digest);
                var body = new BlobDescriptor { Digest = result.Digest.ToString(), Size = result.Size };
                if (result.Outcome == BlobPutOutcome.Created)
                {
                    context.Response.Headers.Location = RegistryRoutes.Blob(result.Digest);
                }

                return Results.Json(body, ProtocolJsonContext.Default.BlobDescriptor, statusCode: result.Outcome == BlobPutOutcome.Created ? StatusCodes.Status201Created : StatusCodes.Status200OK);
            case BlobPutOutcome.DigestMismatch:
                return Refuse(ProblemTypes.DigestMismatch, "Digest mismatch", $"The {result.Size} bytes received hash to {result.Digest}, not the declared {expected}; nothing was stored.");
            case BlobPutOutcome.SizeMismatch:
                return Refuse(ProblemTypes.SizeMismatch, "Size mismatch", $"The body holds {(result.Size > declared ? "more than" : "only")} {result.Size} of the declared {declared} bytes; nothing was stored.");
            default:
                return Refuse(ProblemTypes.IncompleteBody, "Request body ended early", $"The body ended after {result.Size} of {declared} bytes ({result.Error?.Message ?? "connection closed"}); nothing was stored. Use an upload session (POST {RegistryRoutes.Uploads}) to resume large uploads.");
        }
    }

    /// <summary>A single range that starts at or past the end (or an empty suffix); multi-range requests are served whole.</summary>
    private static bool IsUnsatisfiable(HttpContext context, long size)
    {
        var range = context.Request.GetTypedHeaders().Range;
        if (range is null || !string.Equals(range.Unit.Value, "bytes", StringComparison.OrdinalIgnoreCase) || range.Ranges.Count != 1)
        {
            return false;
        }

        var only = range.Ranges.First();
        return only.From is { } from ? from >= size : only.To == 0;
    }

    public static IResult InvalidDigest(string text) =>
        Refuse(ProblemTypes.InvalidDigest, "Invalid digest", BlobDigest.Explain(text));

    public static Problem Unknown(BlobDigest digest) => new()
    {
        Type = ProblemTypes.BlobUnknown,
        Title = "Unknown blob",
        Status = StatusCodes.Status404NotFound,
        Detail = $"The registry has no blob {digest}.",
    };

    private static IResult Refuse(string type, string title, string detail) =>
        ProblemResponses.Result(new Problem { Type = type, Title = title, Status = StatusCodes.Status400BadRequest, Detail = detail });

    private static void SetHeaders(HttpContext context, BlobDigest digest) =>
        context.Response.Headers[RegistryRoutes.DigestHeader] = digest.ToString();
}
