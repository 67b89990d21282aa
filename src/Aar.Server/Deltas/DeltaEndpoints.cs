using System.Globalization;
using System.Text.Json;
using Aar.Protocol;
using Aar.Protocol.Http;
using Aar.Protocol.Registry;
using Aar.Server.Access;
using Aar.Server.Problems;
using Aar.Server.Storage;
using Aar.Server.Trust;
using Aar.Server.Uploads;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Aar.Server.Deltas;

/// <summary>
/// Delta uploads, publishers only: <c>POST /1.0/chunks/lookup</c> (which of these chunks do you hold, and where) and
/// <c>POST /1.0/uploads/{id}/copy</c> (append these ranges of stored blobs to my session). Everything else of a delta
/// upload (sent bytes, completion with the digest) is the ordinary upload session.
/// </summary>
internal static class DeltaEndpoints
{
    public static IEndpointRouteBuilder MapDeltas(this IEndpointRouteBuilder app)
    {
        app.MapPost(RegistryRoutes.ChunkLookup, Lookup).RequirePublisher();
        app.MapPost(RegistryRoutes.Uploads + "/{id}/copy", Copy).RequirePublisher();
        return app;
    }

    private static async Task<IResult> Lookup(HttpContext context, ChunkLookup lookup, DeltaOptions options, CancellationToken cancellationToken)
    {
        // Kestrel's 1 MiB body limit bounds what is read; the count is checked before anything is allocated for it.
        if (context.Request.ContentLength is not { } length || length % 32 != 0)
        {
            return ProblemResponses.Result(DeltaProblems.Invalid("Send the chunk hashes as the body: 32 bytes of SHA-256 each, back to back, with Content-Length."));
        }

        if (length / 32 > options.MaxLookupHashes)
        {
            return ProblemResponses.Result(DeltaProblems.TooMany("chunk hashes", (int)Math.Min(int.MaxValue, length / 32), options.MaxLookupHashes));
        }

        var body = new byte[length];
        try
        {
            await context.Request.Body.ReadExactlyAsync(body, cancellationToken);
        }
        catch (Exception ex) when (ex is EndOfStreamException or IOException)
        {
            // Shorter than its Content-Length, or the connection broke: nothing was looked up.
            return ProblemResponses.Result(DeltaProblems.Invalid($"The body ended before its {length} declared bytes."));
        }
        var hashes = new byte[length / 32][];
        for (var i = 0; i < hashes.Length; i++)
        {
            hashes[i] = body.AsSpan(i * 32, 32).ToArray();
        }

        var matches = await lookup.FindAsync(hashes, cancellationToken);
        return Results.Json(matches, ProtocolJsonContext.Default.ChunkMatches);
    }

    private static async Task<IResult> Copy(string id, HttpContext context, UploadSessions sessions, IBlobStore blobs, DeltaOptions options, DeltaMetrics metrics, CancellationToken cancellationToken)
    {
        UploadCopyRequest? request;
        try
        {
            request = await JsonSerializer.DeserializeAsync(context.Request.Body, ProtocolJsonContext.Default.UploadCopyRequest, cancellationToken);
        }
        catch (JsonException ex)
        {
            return ProblemResponses.Result(DeltaProblems.Invalid($"The body is not a copy request ({ex.Message}); send JSON with offset and ranges."));
        }

        if (request?.Ranges is null)
        {
            return ProblemResponses.Result(DeltaProblems.Invalid("The body is empty; send JSON with offset and ranges."));
        }

        if (request.Ranges.Count > options.MaxCopyRanges)
        {
            return ProblemResponses.Result(DeltaProblems.TooMany("ranges", request.Ranges.Count, options.MaxCopyRanges));
        }

        var checkedRanges = await CheckRangesAsync(request.Ranges, blobs, cancellationToken);
        if (!checkedRanges.Succeeded)
        {
            return ProblemResponses.Result(checkedRanges.Problem!);
        }

        var result = await sessions.CopyAsync(id, context.Caller().Fingerprint, request.Offset, checkedRanges.Value!, cancellationToken);
        if (!result.Succeeded)
        {
            if (result.Problem!.Offset is { } offset)
            {
                context.Response.Headers[RegistryRoutes.UploadOffsetHeader] = offset.ToString(CultureInfo.InvariantCulture);
            }

            return ProblemResponses.Result(result.Problem);
        }

        metrics.Copied(result.Value!.Offset - request.Offset);
        context.Response.Headers[RegistryRoutes.UploadOffsetHeader] = result.Value.Offset.ToString(CultureInfo.InvariantCulture);
        context.Response.Headers.Location = result.Value.Location;
        return Results.Json(result.Value, ProtocolJsonContext.Default.UploadSession, statusCode: StatusCodes.Status202Accepted);
    }

    /// <summary>Every range must name a stored blob and lie inside it; each blob is opened once, before any byte moves.</summary>
    private static async Task<ApiResult<IReadOnlyList<StoredRange>>> CheckRangesAsync(IReadOnlyList<BlobRange> ranges, IBlobStore blobs, CancellationToken cancellationToken)
    {
        var opened = new Dictionary<BlobDigest, BlobContent>();
        var checkedRanges = new List<StoredRange>(ranges.Count);
        foreach (var range in ranges)
        {
            if (range is null || !BlobDigest.TryParse(range.Blob, out var digest))
            {
                return ApiResult.Failed<IReadOnlyList<StoredRange>>(DeltaProblems.Invalid($"'{range?.Blob}' is not a blob digest (sha256: and 64 lower-case hex digits)."));
            }

            if (!opened.TryGetValue(digest, out var content))
            {
                content = await blobs.OpenReadAsync(digest, cancellationToken);
                if (content is null)
                {
                    return ApiResult.Failed<IReadOnlyList<StoredRange>>(DeltaProblems.SourceUnknown(digest));
                }

                opened[digest] = content;
            }

            if (range.Offset < 0 || range.Length <= 0 || range.Offset > content.Size - range.Length)
            {
                return ApiResult.Failed<IReadOnlyList<StoredRange>>(DeltaProblems.OutOfRange(digest, range.Offset, range.Length, content.Size));
            }

            checkedRanges.Add(new StoredRange(content, range.Offset, range.Length));
        }

        return ApiResult.Ok<IReadOnlyList<StoredRange>>(checkedRanges);
    }
}
