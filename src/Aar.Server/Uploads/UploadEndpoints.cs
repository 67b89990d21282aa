using System.Globalization;
using Aar.Protocol;
using Aar.Protocol.Http;
using Aar.Protocol.Registry;
using Aar.Server.Access;
using Aar.Server.Problems;
using Aar.Server.Storage;
using Aar.Server.Trust;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Aar.Server.Uploads;

/// <summary>
/// <c>/1.0/uploads</c>: start a session, send chunks with <c>Content-Range</c>, ask for the offset, finish with the
/// digest, or cancel. Only the publisher that started a session can see or use it.
/// </summary>
internal static class UploadEndpoints
{
    private const string IndexChunks = "chunks";

    public static IEndpointRouteBuilder MapUploads(this IEndpointRouteBuilder app)
    {
        // Sessions belong to the publisher that started them; reading one is part of writing.
        var group = app.MapGroup(RegistryRoutes.Uploads).RequirePublisher();
        group.MapPost("/", Start);
        group.MapGet("/{id}", Status);
        group.MapPatch("/{id}", Append);
        group.MapPut("/{id}", Complete);
        group.MapDelete("/{id}", Cancel);
        return app;
    }

    /// <summary>
    /// <c>POST /1.0/uploads[?digest=sha256:…][&amp;index=chunks]</c>: a client that knows the digest it will send says so
    /// (optional); an upload by difference asks for the blob's chunk index to be computed as it is assembled.
    /// </summary>
    private static async Task<IResult> Start(string? digest, string? index, HttpContext context, UploadSessions sessions, CancellationToken cancellationToken)
    {
        if (index is not (null or IndexChunks))
        {
            return Failed(context, UploadProblems.InvalidQuery($"'index={index}' is not understood; the only value is 'index={IndexChunks}' (index the blob's chunks as it is assembled), or leave it out."));
        }

        BlobDigest? intended = null;
        if (digest is not null)
        {
            if (!BlobDigest.TryParse(digest, out var parsed))
            {
                return BlobEndpoints.InvalidDigest(digest);
            }

            intended = parsed;
        }

        var result = await sessions.CreateAsync(context.Caller().Fingerprint, intended, index is not null, cancellationToken);
        return result.Succeeded ? Session(context, result.Value!, StatusCodes.Status201Created) : Failed(context, result.Problem!);
    }

    private static async Task<IResult> Status(string id, HttpContext context, UploadSessions sessions, CancellationToken cancellationToken)
    {
        var result = await sessions.GetAsync(id, context.Caller().Fingerprint, cancellationToken);
        return result.Succeeded ? Session(context, result.Value!, StatusCodes.Status200OK) : Failed(context, result.Problem!);
    }

    private static async Task<IResult> Append(string id, HttpContext context, UploadSessions sessions, UploadOptions options, CancellationToken cancellationToken)
    {
        var header = context.Request.Headers.ContentRange.ToString();
        if (header.Length == 0)
        {
            return Failed(context, UploadProblems.InvalidRange("A chunk needs a Content-Range header, e.g. 'bytes 0-1048575/*', so the registry can refuse out-of-order, repeated or missing chunks."));
        }

        var chunk = ReadChunk(context, header, options, out var refused);
        if (chunk is null)
        {
            return Failed(context, refused!);
        }

        var result = await sessions.AppendAsync(id, context.Caller().Fingerprint, chunk, cancellationToken);
        return result.Succeeded ? Session(context, result.Value!, StatusCodes.Status202Accepted) : Failed(context, result.Problem!);
    }

    private static async Task<IResult> Complete(string id, string? digest, string? size, HttpContext context, UploadSessions sessions, UploadOptions options, CancellationToken cancellationToken)
    {
        if (!BlobDigest.TryParse(digest, out var expected))
        {
            return BlobEndpoints.InvalidDigest(digest ?? "");
        }

        long? declared = null;
        if (size is not null)
        {
            if (!long.TryParse(size, NumberStyles.None, CultureInfo.InvariantCulture, out var parsed))
            {
                return Failed(context, new Problem { Type = ProblemTypes.InvalidRequest, Title = "Invalid size", Status = 400, Detail = $"size '{size}' is not a number of bytes." });
            }

            declared = parsed;
        }

        Chunk? last = null;
        if (context.Request.ContentLength is > 0 || context.Request.Headers.ContentRange.Count > 0)
        {
            last = ReadChunk(context, context.Request.Headers.ContentRange.ToString(), options, out var refused);
            if (last is null)
            {
                return Failed(context, refused!);
            }
        }

        var result = await sessions.CompleteAsync(id, context.Caller().Fingerprint, expected, declared, last, cancellationToken);
        return result.Succeeded ? BlobEndpoints.Stored(context, result.Value!, expected, result.Value!.Size) : Failed(context, result.Problem!);
    }

    private static async Task<IResult> Cancel(string id, HttpContext context, UploadSessions sessions, CancellationToken cancellationToken)
    {
        var result = await sessions.CancelAsync(id, context.Caller().Fingerprint, cancellationToken);
        return result.Succeeded ? Results.NoContent() : Failed(context, result.Problem!);
    }

    /// <summary>Checks a chunk's headers before any byte is read; an empty header means "at the current offset".</summary>
    private static Chunk? ReadChunk(HttpContext context, string rangeHeader, UploadOptions options, out Problem? refused)
    {
        ContentRange? range = null;
        if (rangeHeader.Length > 0)
        {
            if (!ContentRange.TryParse(rangeHeader, out var parsed, out var error))
            {
                refused = UploadProblems.InvalidRange(error);
                return null;
            }

            if (parsed.End >= options.MaxBlobBytes)
            {
                refused = UploadProblems.TooLarge(parsed.End + 1, options.MaxBlobBytes);
                return null;
            }

            range = parsed;
        }

        refused = RequestBodies.Admit(context, options.MaxBlobBytes, out var length);
        if (refused is not null)
        {
            return null;
        }

        if (range is { } claimed && claimed.Length != length)
        {
            refused = UploadProblems.InvalidRange($"Content-Range '{rangeHeader}' covers {claimed.Length} bytes but Content-Length is {length}; they must agree.");
            return null;
        }

        return new Chunk(range, length, context.Request.Body);
    }

    private static IResult Session(HttpContext context, UploadSession session, int status)
    {
        SetOffsetHeaders(context, session.Id, session.Offset);
        return Results.Json(session, ProtocolJsonContext.Default.UploadSession, statusCode: status);
    }

    private static IResult Failed(HttpContext context, Problem problem)
    {
        if (problem.Offset is { } offset)
        {
            SetOffsetHeaders(context, null, offset);
        }

        return ProblemResponses.Result(problem);
    }

    /// <summary><c>Upload-Offset</c> always; <c>Range: 0-(offset-1)</c> as the OCI spec does, when there are bytes.</summary>
    private static void SetOffsetHeaders(HttpContext context, string? id, long offset)
    {
        context.Response.Headers[RegistryRoutes.UploadOffsetHeader] = offset.ToString(CultureInfo.InvariantCulture);
        if (offset > 0)
        {
            context.Response.Headers.Range = $"0-{offset - 1}";
        }

        if (id is not null)
        {
            context.Response.Headers.Location = RegistryRoutes.Upload(id);
        }
    }
}
