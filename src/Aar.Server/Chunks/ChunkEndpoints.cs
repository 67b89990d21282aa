using Aar.Protocol.Chunking;
using Aar.Protocol.Http;
using Aar.Protocol.Registry;
using Aar.Server.Access;
using Aar.Server.Problems;
using Aar.Server.Storage;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Aar.Server.Chunks;

/// <summary>
/// <c>GET /1.0/blobs/{digest}/chunks</c> (the blob's chunk index) and <c>POST /1.0/blobs/{digest}/ranges</c> (many
/// byte ranges in one answer) and <c>POST /1.0/blobs/{digest}/signatures</c> (the fine chunks of ranges): what a
/// client needs to fetch or send only the chunks it lacks. The same trust as GET blob.
/// </summary>
internal static class ChunkEndpoints
{
    public static IEndpointRouteBuilder MapChunks(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup(RegistryRoutes.Blobs).AllowAnyTrustedCaller();
        group.MapGet("/{digest}/chunks", GetIndex);
        group.MapPost("/{digest}/ranges", GetRanges);
        group.MapPost("/{digest}/signatures", GetSignatures);
        return app;
    }

    private static async Task<IResult> GetIndex(string digest, HttpContext context, IChunkIndexes indexes, CancellationToken cancellationToken)
    {
        if (!BlobDigest.TryParse(digest, out var parsed))
        {
            return BlobEndpoints.InvalidDigest(digest);
        }

        if (await indexes.GetAsync(parsed, cancellationToken) is not { } stored)
        {
            return ProblemResponses.Result(BlobEndpoints.Unknown(parsed));
        }

        context.Response.Headers[RegistryRoutes.DigestHeader] = parsed.ToString();
        return Results.Bytes(stored.Wire, ChunkIndexWire.MediaType);
    }

    private static async Task<IResult> GetRanges(string digest, HttpContext context, IBlobStore blobs, ChunkOptions options, ChunkMetrics metrics, CancellationToken cancellationToken)
    {
        var (asked, refusal) = await ReadRangeListAsync(digest, context, blobs, options.MaxRanges, options.MaxRangeBytes, cancellationToken);
        if (asked is not var (content, ranges))
        {
            return refusal!;
        }

        metrics.RangeRequest(ranges.Length);
        context.Response.Headers[RegistryRoutes.DigestHeader] = content.Digest.ToString();
        context.Response.ContentType = "application/octet-stream";
        context.Response.ContentLength = ranges.Sum(r => r.Length);
        await StoredRanges.ReadAsync(content, ranges, async (_, bytes) =>
        {
            await context.Response.Body.WriteAsync(bytes, cancellationToken);
            metrics.RangeBytes(bytes.Length);
        }, cancellationToken);
        return Results.Empty;
    }

    /// <summary>
    /// The fine chunks of the asked ranges (<see cref="ChunkParameters.Fine"/>): what a delta needs to send or fetch
    /// only the changed part of a chunk. The registry reads and hashes the ranges, so their total is bounded
    /// (<see cref="ChunkOptions.MaxSignatureBytes"/>); the answer is at most 36 bytes per KiB asked.
    /// </summary>
    private static async Task<IResult> GetSignatures(string digest, HttpContext context, IBlobStore blobs, ChunkOptions options, ChunkMetrics metrics, CancellationToken cancellationToken)
    {
        var (asked, refusal) = await ReadRangeListAsync(digest, context, blobs, options.MaxRanges, options.MaxSignatureBytes, cancellationToken);
        if (asked is not var (content, ranges))
        {
            return refusal!;
        }

        using var signer = new ChunkSigner(ChunkParameters.Fine);
        var current = 0;
        await StoredRanges.ReadAsync(content, ranges, (range, bytes) =>
        {
            if (range != current)
            {
                signer.End();
                current = range;
            }

            signer.Append(bytes.Span);
            return ValueTask.CompletedTask;
        }, cancellationToken);
        signer.End();

        metrics.SignatureRequest(ranges.Sum(r => r.Length));
        var answer = new byte[signer.Chunks.Count * ChunkSignatureWire.EntrySize];
        for (var i = 0; i < signer.Chunks.Count; i++)
        {
            ChunkSignatureWire.Write(signer.Chunks[i], answer.AsSpan(i * ChunkSignatureWire.EntrySize));
        }

        context.Response.Headers[RegistryRoutes.DigestHeader] = content.Digest.ToString();
        return Results.Bytes(answer, ChunkSignatureWire.MediaType);
    }

    /// <summary>
    /// Reads a <see cref="ByteRanges"/> body (Content-Length required, its size checked before it is read) and checks
    /// it against the stored blob: the blob and the ranges, or the refusal to answer with.
    /// </summary>
    private static async Task<((BlobContent Content, ByteRange[] Ranges)? Asked, IResult? Refusal)> ReadRangeListAsync(string digest, HttpContext context, IBlobStore blobs, int maxRanges, long maxBytes, CancellationToken cancellationToken)
    {
        if (!BlobDigest.TryParse(digest, out var parsed))
        {
            return (null, BlobEndpoints.InvalidDigest(digest));
        }

        var most = maxRanges * ByteRanges.EntrySize;
        var declared = context.Request.ContentLength;
        if (declared is null or 0 || declared > most)
        {
            return (null, Refuse(declared > most ? StatusCodes.Status413PayloadTooLarge : StatusCodes.Status400BadRequest,
                $"A range list is 16 bytes a range, at most {maxRanges} ranges ({most} bytes) with Content-Length set; this one declares {declared?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "no length"}."));
        }

        var body = new byte[declared.Value];
        try
        {
            await context.Request.Body.ReadExactlyAsync(body, cancellationToken);
        }
        catch (EndOfStreamException)
        {
            return (null, Refuse(StatusCodes.Status400BadRequest, $"The range list ended before its declared {declared} bytes."));
        }

        if (await blobs.OpenReadAsync(parsed, cancellationToken) is not { } content)
        {
            return (null, ProblemResponses.Result(BlobEndpoints.Unknown(parsed)));
        }

        if (ByteRanges.Parse(body, content.Size, maxRanges, maxBytes, out var problem, out var refusal) is not { } ranges)
        {
            return (null, Refuse(refusal switch
            {
                ByteRangeRefusal.TooLarge => StatusCodes.Status413PayloadTooLarge,
                ByteRangeRefusal.OutOfRange => StatusCodes.Status416RangeNotSatisfiable,
                _ => StatusCodes.Status400BadRequest,
            }, problem!));
        }

        return ((content, ranges), null);
    }

    private static IResult Refuse(int status, string detail) => ProblemResponses.Result(new Problem
    {
        Type = status switch
        {
            StatusCodes.Status413PayloadTooLarge => ProblemTypes.BodyTooLarge,
            StatusCodes.Status416RangeNotSatisfiable => ProblemTypes.RangeNotSatisfiable,
            _ => ProblemTypes.InvalidRequest,
        },
        Title = status switch
        {
            StatusCodes.Status413PayloadTooLarge => "Too many ranges",
            StatusCodes.Status416RangeNotSatisfiable => "Range not satisfiable",
            _ => "Invalid range list",
        },
        Status = status,
        Detail = detail,
    });
}
