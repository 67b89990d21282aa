using System.Net.Http.Headers;
using Aar.Protocol.Chunking;
using Aar.Protocol.Http;

namespace Aar.Protocol.Registry;

public sealed partial class RegistryClient
{
    /// <summary>
    /// The blob's chunk index, parsed within <see cref="ChunkIndexLimits.Default"/>; a problem if the registry has no
    /// blob (or no index route: an older registry answers 404 too). An index that is not one throws
    /// <see cref="ChunkIndexFormatException"/> with a sentence.
    /// </summary>
    public async Task<ApiResult<ChunkIndex>> GetChunkIndexAsync(BlobDigest digest, CancellationToken cancellationToken = default)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, RegistryRoutes.BlobChunks(digest));
        using var response = await SendForHeadersAsync(http, request, cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            return ApiResult.Failed<ChunkIndex>(await ApiResponses.ReadProblemAsync(response, cancellationToken));
        }

        await using var body = await response.Content.ReadAsStreamAsync(cancellationToken);
        return ApiResult.Ok(await ChunkIndexWire.ReadAsync(body, ChunkIndexLimits.Default, cancellationToken));
    }

    /// <summary>
    /// Asks for many ranges of a blob in one request; the returned stream yields their bytes back to back, in request
    /// order (the caller disposes it). The caller verifies what it reads: the registry is trusted for nothing here.
    /// </summary>
    public async Task<ApiResult<Stream>> ReadRangesAsync(BlobDigest digest, IReadOnlyList<ByteRange> ranges, CancellationToken cancellationToken = default)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, RegistryRoutes.BlobRanges(digest));
        request.Content = new ByteArrayContent(ByteRanges.Serialize(ranges));
        request.Content.Headers.ContentType = new MediaTypeHeaderValue(ByteRanges.MediaType);
        var response = await SendForHeadersAsync(http, request, cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            using (response)
            {
                return ApiResult.Failed<Stream>(await ApiResponses.ReadProblemAsync(response, cancellationToken));
            }
        }

        return ApiResult.Ok(await response.Content.ReadAsStreamAsync(cancellationToken));
    }

    /// <summary>
    /// The fine chunks (<see cref="ChunkParameters.Fine"/>) of ranges of a stored blob, one array per range; a problem
    /// when the registry has no such blob or route (an older registry). The answer is read within
    /// <see cref="ChunkSignatureWire.MostBytes"/> and only steers which bytes a delta sends: every byte it leads to is
    /// verified by the whole SHA-256 in the end. A malformed answer throws <see cref="ChunkIndexFormatException"/>.
    /// </summary>
    public async Task<ApiResult<ChunkSignature[][]>> GetSignaturesAsync(BlobDigest digest, IReadOnlyList<ByteRange> ranges, CancellationToken cancellationToken = default)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, RegistryRoutes.BlobSignatures(digest));
        request.Content = new ByteArrayContent(ByteRanges.Serialize(ranges));
        request.Content.Headers.ContentType = new MediaTypeHeaderValue(ByteRanges.MediaType);
        using var response = await SendForHeadersAsync(http, request, cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            return ApiResult.Failed<ChunkSignature[][]>(await ApiResponses.ReadProblemAsync(response, cancellationToken));
        }

        await using var body = await response.Content.ReadAsStreamAsync(cancellationToken);
        return ApiResult.Ok(await ChunkSignatureWire.ReadAsync(body, ranges, ChunkParameters.Fine, cancellationToken));
    }
}
