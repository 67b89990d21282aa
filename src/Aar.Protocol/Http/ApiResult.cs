namespace Aar.Protocol.Http;

/// <summary>Either the value an API call returned, or the problem it reported. Expected failures are values.</summary>
public sealed record ApiResult<T>
{
    internal ApiResult(T? value, Problem? problem)
    {
        Value = value;
        Problem = problem;
    }

    public T? Value { get; }

    public Problem? Problem { get; }

    public bool Succeeded => Problem is null;
}

public static class ApiResult
{
    public static ApiResult<T> Ok<T>(T value) => new(value, null);

    public static ApiResult<T> Failed<T>(Problem problem) => new(default, problem);
}
