namespace Aar.Protocol.Registry;

/// <summary>
/// An upload session: the server's offset is the truth a client resumes from (the next chunk must start there).
/// </summary>
public sealed record UploadSession
{
    public required string Id { get; init; }

    /// <summary>Bytes received and stored so far; the next chunk must start at this offset.</summary>
    public required long Offset { get; init; }

    /// <summary>When the session is reclaimed if nothing more arrives.</summary>
    public required DateTimeOffset ExpiresAt { get; init; }

    /// <summary>The session's URL path (also in the <c>Location</c> header).</summary>
    public required string Location { get; init; }
}
