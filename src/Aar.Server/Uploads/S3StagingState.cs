using System.Text.Json;
using System.Text.Json.Serialization;

namespace Aar.Server.Uploads;

/// <summary>
/// An S3 upload session's staging JSON (<c>upload_sessions.staging</c>): the multipart upload behind it, the part
/// size it was started with (fixed for its life, whatever a node's <c>--s3-part-size</c> says later), the ETags of the
/// parts that are durable (part n holds bytes [(n-1)·size, n·size)), and the tail object holding the bytes after the
/// last full part. The ETags are passed to <c>CompleteMultipartUpload</c>, so a part overwritten by a stray writer
/// fails the completion instead of slipping in.
/// </summary>
internal sealed record S3StagingState
{
    [JsonPropertyName("upload_id")]
    public required string UploadId { get; init; }

    [JsonPropertyName("key")]
    public required string Key { get; init; }

    [JsonPropertyName("part_size")]
    public required long PartSize { get; init; }

    [JsonPropertyName("parts")]
    public List<string> Parts { get; init; } = [];

    /// <summary>
    /// The digest the client named when it started the session: the multipart upload then targets that blob's content
    /// address (<see cref="Key"/>), so completion needs no copy; only bytes verified to be that digest complete it.
    /// </summary>
    [JsonPropertyName("digest")]
    public string? Digest { get; init; }

    /// <summary>Key of the object with the bytes after the last full part; null when there are none.</summary>
    [JsonPropertyName("tail")]
    public string? Tail { get; init; }

    public long PartBytes => Parts.Count * PartSize;

    public string ToJson() => JsonSerializer.Serialize(this, S3StagingJson.Default.S3StagingState);

    /// <summary>False for a session started on another blob store (no or foreign staging JSON).</summary>
    public static bool TryParse(string? json, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out S3StagingState? state)
    {
        try
        {
            state = json is null ? null : JsonSerializer.Deserialize(json, S3StagingJson.Default.S3StagingState);
        }
        catch (JsonException)
        {
            state = null;
        }

        return state is not null;
    }

    public static S3StagingState Parse(string? json) =>
        (json is null ? null : JsonSerializer.Deserialize(json, S3StagingJson.Default.S3StagingState))
        ?? throw new InvalidOperationException("The upload session has no S3 staging state; it was started on another blob store.");
}

[JsonSerializable(typeof(S3StagingState))]
internal sealed partial class S3StagingJson : JsonSerializerContext;
