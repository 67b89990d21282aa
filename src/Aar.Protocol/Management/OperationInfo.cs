namespace Aar.Protocol.Management;

/// <summary>
/// A long piece of work (importing a package) that can be waited on, LXD-style. <see cref="Status"/> is
/// <c>Running</c>, <c>Success</c> or <c>Failure</c>; on failure <see cref="Err"/> is the sentence for people.
/// </summary>
public sealed record OperationInfo
{
    public const string Running = "Running";
    public const string Success = "Success";
    public const string Failure = "Failure";

    public required string Id { get; init; }

    public string Class { get; init; } = "task";

    public required string Description { get; init; }

    public required DateTimeOffset CreatedAt { get; init; }

    public required DateTimeOffset UpdatedAt { get; init; }

    public required string Status { get; init; }

    /// <summary>103 running, 200 success, 400 failure (the original product's status codes).</summary>
    public required int StatusCode { get; init; }

    /// <summary>Resources the operation touches, e.g. <c>applications: [/1.0/applications/&lt;id&gt;]</c>.</summary>
    public Dictionary<string, List<string>> Resources { get; init; } = [];

    /// <summary>Result details once known: <c>id</c>, <c>name</c> and <c>version</c> of the application version.</summary>
    public Dictionary<string, string> Metadata { get; init; } = [];

    public bool MayCancel { get; init; }

    public string Err { get; init; } = "";

    /// <summary>The HTTP status that describes a failure (400 bad package, 409 conflict, ...); 0 otherwise.</summary>
    public int ErrCode { get; init; }
}
