using System.Buffers;
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
/// byte ranges in one answer): what a client needs to fetch only the chunks it lacks. The same trust as GET blob.
/// </summary>
internal static class ChunkEndpoints
{
    public static IEndpointRouteBuilder MapChunks(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup(RegistryRoutes.Blobs).AllowAnyTrustedCaller();
        group.MapGet("/{digest}/chunks", GetIndex);
        group.MapPost("/{digest}/ranges", GetRanges);
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
        if (!BlobDigest.TryParse(digest, out var parsed))
        {
            return BlobEndpoints.InvalidDigest(digest);
        }

        var most = options.MaxRanges * ByteRanges.EntrySize;
        var declared = context.Request.ContentLength;
        if (declared is null or 0 || declared > most)
        {
            return Refuse(declared > most ? StatusCodes.Status413PayloadTooLarge : StatusCodes.Status400BadRequest,
                $"A range list is 16 bytes a range, at most {options.MaxRanges} ranges ({most} bytes) with Content-Length set; this one declares {declared?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "no length"}.");
        }

        var body = new byte[declared.Value];
        try
        {
            await context.Request.Body.ReadExactlyAsync(body, cancellationToken);
        }
        catch (EndOfStreamException)
        {
            return Refuse(StatusCodes.Status400BadRequest, $"The range list ended before its declared {declared} bytes.");
        }

        if (await blobs.OpenReadAsync(parsed, cancellationToken) is not { } content)
        {
            return ProblemResponses.Result(BlobEndpoints.Unknown(parsed));
        }

        if (ByteRanges.Parse(body, content.Size, options.MaxRanges, options.MaxRangeBytes, out var problem, out var refusal) is not { } ranges)
        {
            return Refuse(refusal switch
            {
                ByteRangeRefusal.TooLarge => StatusCodes.Status413PayloadTooLarge,
                ByteRangeRefusal.OutOfRange => StatusCodes.Status416RangeNotSatisfiable,
                _ => StatusCodes.Status400BadRequest,
            }, problem!);
        }

        metrics.RangeRequest(ranges.Length);
        context.Response.Headers[RegistryRoutes.DigestHeader] = parsed.ToString();
        context.Response.ContentType = "application/octet-stream";
        context.Response.ContentLength = ranges.Sum(r => r.Length);
        await WriteRangesAsync(context.Response, content, ranges, metrics, cancellationToken);
        return Results.Empty;
    }

    /// <summary>
    /// Streams the ranges in request order through one pooled buffer: a local file is opened once and read at each
    /// offset; any other store (S3) opens one ranged read per range (clients coalesce adjacent chunks into one range).
    /// </summary>
    private static async Task WriteRangesAsync(HttpResponse response, BlobContent content, ByteRange[] ranges, ChunkMetrics metrics, CancellationToken cancellationToken)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(256 * 1024);
        try
        {
            using var file = content.PhysicalPath is { } path ? File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.Read | FileShare.Delete) : null;
            foreach (var range in ranges)
            {
                if (file is not null)
                {
                    for (long done = 0; done < range.Length;)
                    {
                        var read = await RandomAccess.ReadAsync(file, buffer.AsMemory(0, (int)Math.Min(buffer.Length, range.Length - done)), range.Offset + done, cancellationToken);
                        if (read == 0)
                        {
                            throw new StorageUnavailableException($"Blob {content.Digest} ended early at {range.Offset + done} bytes.");
                        }

                        await response.Body.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
                        done += read;
                        metrics.RangeBytes(read);
                    }
                }
                else
                {
                    await using var stream = await content.OpenAsync(range.Offset, range.Length, cancellationToken);
                    int read;
                    long done = 0;
                    while (done < range.Length && (read = await stream.ReadAsync(buffer.AsMemory(0, (int)Math.Min(buffer.Length, range.Length - done)), cancellationToken)) > 0)
                    {
                        await response.Body.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
                        done += read;
                        metrics.RangeBytes(read);
                    }

                    if (done != range.Length)
                    {
                        throw new StorageUnavailableException($"Blob {content.Digest} ended early at {range.Offset + done} bytes.");
                    }
                }
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
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
