namespace Ams.Daemon.Api;

/// <summary>An expected failure: the HTTP status it maps to and one sentence for people that says what to do.</summary>
internal sealed record ApiError(int Code, string Message)
{
    public static ApiError BadRequest(string message) => new(400, message);

    public static ApiError NotFound(string message) => new(404, message);

    public static ApiError Conflict(string message) => new(409, message);

    public static ApiError TooLarge(string message) => new(413, message);
}

/// <summary>A value or an <see cref="ApiError"/>: expected outcomes are values, not exceptions.</summary>
internal readonly record struct Result<T>(T? Value, ApiError? Error)
{
    public bool Succeeded => Error is null;

    public static implicit operator Result<T>(T value) => new(value, null);

    public static implicit operator Result<T>(ApiError error) => new(default, error);
}
