using System.Text.Json;

namespace Aar.Protocol.Management;

/// <summary>
/// The LXD-style envelope of every AMS local API answer (anbox-reference §6): <c>type</c> is <c>sync</c>,
/// <c>async</c> (a long operation was started: <see cref="Operation"/> is its URL) or <c>error</c>
/// (<see cref="Error"/> is one sentence for people, <see cref="ErrorCode"/> the HTTP status).
/// </summary>
public sealed record Response
{
    public const string Sync = "sync";
    public const string Async = "async";
    public const string ErrorType = "error";

    public required string Type { get; init; }

    public string? Status { get; init; }

    public int? StatusCode { get; init; }

    public string? Operation { get; init; }

    public int? ErrorCode { get; init; }

    public string? Error { get; init; }

    /// <summary>The payload; its shape depends on the route (null on errors).</summary>
    public JsonElement? Metadata { get; init; }
}
