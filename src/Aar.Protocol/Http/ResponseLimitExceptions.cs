namespace Aar.Protocol.Http;

/// <summary>
/// The peer kept the connection open but sent nothing for <see cref="Idle"/>. An <see cref="IOException"/> so that a
/// transfer treats it like a cut connection: it keeps what arrived and resumes with a Range request.
/// </summary>
public sealed class IdleTimeoutException(string what, TimeSpan idle)
    : IOException($"{what}: nothing arrived for {idle.TotalSeconds:0} s with the connection still open; it was cut")
{
    public TimeSpan Idle { get; } = idle;
}

/// <summary>An answer went past the size the client accepts for it; reading stopped there.</summary>
public sealed class ResponseTooLargeException(string what, long limit)
    : Exception($"{what}: the answer is larger than the {limit} bytes accepted for it; reading stopped there")
{
    public long Limit { get; } = limit;
}
