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
}
