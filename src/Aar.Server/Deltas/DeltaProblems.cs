using Aar.Protocol.Http;
using Aar.Protocol.Registry;

namespace Aar.Server.Deltas;

/// <summary>The problems a chunk lookup or a copy into an upload answers with; each says what the publisher does next.</summary>
internal static class DeltaProblems
{
    public static Problem Invalid(string detail) => new() { Type = ProblemTypes.InvalidRequest, Title = "Invalid delta request", Status = 400, Detail = detail };

    public static Problem TooMany(string what, int count, int limit) => new()
    {
        Type = ProblemTypes.BodyTooLarge,
        Title = "Too many items",
        Status = 413,
        Detail = $"The request names {count} {what}; at most {limit} are accepted per request. Split it.",
    };

    public static Problem SourceUnknown(BlobDigest blob) => new()
    {
        Type = ProblemTypes.CopySourceUnknown,
        Title = "Copy source unknown",
        Status = 409,
        Detail = $"The registry does not hold blob {blob} (never stored, or collected since the lookup); nothing was copied. Send those bytes instead.",
    };

    public static Problem OutOfRange(BlobDigest blob, long offset, long length, long size) => new()
    {
        Type = ProblemTypes.InvalidRequest,
        Title = "Copy range outside the blob",
        Status = 400,
        Detail = $"The range of {length} bytes from byte {offset} does not lie inside blob {blob} ({size} bytes); nothing was copied.",
    };
}
