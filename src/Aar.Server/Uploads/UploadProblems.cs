using Aar.Protocol.Http;
using Aar.Protocol.Registry;

namespace Aar.Server.Uploads;

/// <summary>The problems an upload session answers with; each names what to do next.</summary>
internal static class UploadProblems
{
    public static Problem Unknown(string id) => new()
    {
        Type = ProblemTypes.UploadUnknown,
        Title = "Unknown upload",
        Status = 404,
        Detail = $"There is no upload session '{Shorten(id)}' for this publisher (finished, cancelled, or never created); start a new one with POST {RegistryRoutes.Uploads}.",
    };

    public static Problem Expired(string id, TimeSpan idle) => new()
    {
        Type = ProblemTypes.UploadExpired,
        Title = "Upload expired",
        Status = 404,
        Detail = $"Upload session '{id}' received nothing for more than {idle} and was discarded; start a new one with POST {RegistryRoutes.Uploads}.",
    };

    public static Problem OffsetMismatch(long start, long offset) => new()
    {
        Type = ProblemTypes.UploadOffsetMismatch,
        Title = "Chunk does not start at the upload offset",
        Status = 416,
        Detail = start < offset
            ? $"The chunk starts at byte {start}, but the session already holds {offset} bytes (an overlapping or repeated chunk); send the next chunk from byte {offset}."
            : $"The chunk starts at byte {start}, but the session holds only {offset} bytes (a gap); send the next chunk from byte {offset}.",
        Offset = offset,
    };

    public static Problem Busy(string id, long offset) => new()
    {
        Type = ProblemTypes.UploadBusy,
        Title = "Upload busy",
        Status = 409,
        Detail = $"Another request is still writing to upload session '{id}'; wait for it to end (or time out), then ask the session for its offset and continue from there.",
        Offset = offset,
    };

    public static Problem Incomplete(long offset) => new()
    {
        Type = ProblemTypes.IncompleteBody,
        Title = "Request body ended early",
        Status = 400,
        Detail = $"The request body ended before its declared length (the connection broke?); the session kept the bytes that arrived and now holds {offset}: continue from byte {offset}.",
        Offset = offset,
    };

    public static Problem TooLarge(long size, long maximum) => new()
    {
        Type = ProblemTypes.BodyTooLarge,
        Title = "Blob too large",
        Status = 413,
        Detail = $"This upload would hold {size} bytes, more than this registry's maximum blob size of {maximum} bytes (aar serve --max-blob-size).",
    };

    public static Problem SizeMismatch(long declared, long received, long offset) => new()
    {
        Type = ProblemTypes.SizeMismatch,
        Title = "Size mismatch",
        Status = 400,
        Detail = $"The upload was declared as {declared} bytes but the session holds {received}; send the missing bytes from {offset}, or cancel the session.",
        Offset = offset,
    };

    public static Problem StartedForAnotherDigest(string named, BlobDigest actual, long size) => new()
    {
        Type = ProblemTypes.DigestMismatch,
        Title = "Digest mismatch",
        Status = 400,
        Detail = $"The session was started for {named}, but the {size} bytes received hash to {actual}; nothing was stored and the session was discarded. Upload again, naming the digest you send.",
    };

    public static Problem DigestMismatch(BlobDigest expected, BlobDigest actual, long size) => new()
    {
        Type = ProblemTypes.DigestMismatch,
        Title = "Digest mismatch",
        Status = 400,
        Detail = $"The {size} bytes received hash to {actual}, not the declared {expected}; nothing was stored and the session was discarded. Upload again.",
    };

    /// <summary>The cause (bucket, object key, backend host) is in the server log under <paramref name="traceId"/>, not here.</summary>
    public static Problem StorageUnavailable(string traceId, long offset) => new()
    {
        Type = ProblemTypes.StorageUnavailable,
        Title = "Blob storage unavailable",
        Status = 503,
        Detail = $"The registry's blob storage failed; the session keeps its {offset} durable bytes. Retry from byte {offset} in a moment; the server log has the cause (trace id {traceId}).",
        Offset = offset,
    };

    public static Problem TooManySessions(int limit) => new()
    {
        Type = ProblemTypes.TooManyUploads,
        Title = "Too many open uploads",
        Status = 409,
        Detail = $"This publisher already has {limit} upload sessions open, the most this registry allows (aar serve --max-upload-sessions); finish or cancel one (DELETE {RegistryRoutes.Uploads}/<id>) before starting another. Sessions left idle are discarded after the upload expiry.",
    };

    public static Problem QuotaExceeded(long held, long chunk, long cap, long offset) => new()
    {
        Type = ProblemTypes.UploadQuotaExceeded,
        Title = "Upload quota exceeded",
        Status = 409,
        Detail = $"This publisher's open upload sessions hold {held} bytes; {chunk} more would pass this registry's limit of {cap} bytes per publisher (aar serve --max-staged-bytes). Nothing was stored; finish or cancel other sessions, then send this chunk again from byte {offset}.",
        Offset = offset,
    };

    public static Problem InvalidQuery(string detail) => new() { Type = ProblemTypes.InvalidRequest, Title = "Invalid request", Status = 400, Detail = detail };

    public static Problem InvalidRange(string detail) => new() { Type = ProblemTypes.InvalidContentRange, Title = "Invalid Content-Range", Status = 400, Detail = detail };

    private static string Shorten(string text) => text.Length <= 80 ? text : text[..80] + "…";
}
