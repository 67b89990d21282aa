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

/// <summary>
/// A write (an upload chunk, a server-side copy, the finishing PUT) stopped moving: the peer took no byte of the body
/// for <see cref="Idle"/>, or gave no answer within <see cref="Waited"/> after the last byte. An <see cref="IOException"/>,
/// so an upload treats it like a cut connection: it asks the session for its offset and resumes from there.
/// </summary>
public sealed class WriteStalledException(string what, TimeSpan idle, TimeSpan waited, bool bodySent)
    : IOException(bodySent
        ? $"{what}: no answer came within {waited.TotalSeconds:0.#} s after the body was sent, with the connection still open; it was cut"
        : $"{what}: the peer took no byte of the body for {idle.TotalSeconds:0.#} s, with the connection still open; it was cut")
{
    public TimeSpan Idle { get; } = idle;

    public TimeSpan Waited { get; } = waited;

    public bool BodySent { get; } = bodySent;
}
