namespace Ams.Daemon.Api;

/// <summary>An expected failure: the HTTP status it maps to and one sentence for people that says what to do.</summary>
internal sealed record ApiProblem(int Code, string Message)
{
    public static ApiProblem BadRequest(string message) => new(400, message);

    public static ApiProblem NotFound(string message) => new(404, message);

    public static ApiProblem Conflict(string message) => new(409, message);

    public static ApiProblem TooLarge(string message) => new(413, message);
}

/// <summary>A value or an <see cref="ApiProblem"/>: expected outcomes are values, not exceptions.</summary>
internal readonly record struct Result<T>(T? Value, ApiProblem? Error)
{
    public bool Succeeded => Error is null;

    public static implicit operator Result<T>(T value) => new(value, null);

    public static implicit operator Result<T>(ApiProblem error) => new(default, error);
}
