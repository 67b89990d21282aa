using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace Aar.Protocol.Http;

/// <summary>Turns an HTTP response into an <see cref="ApiResult{T}"/>: the body on success, the problem otherwise.</summary>
public static class ApiResponses
{
    public const string ProblemContentType = "application/problem+json";

    /// <summary>A problem description is a few sentences; more than this is not one.</summary>
    public const long MaxProblemBytes = 64 * 1024;

    public static async Task<ApiResult<T>> ReadAsync<T>(HttpResponseMessage response, JsonTypeInfo<T> typeInfo, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(response);
        if (response.IsSuccessStatusCode)
        {
            T? value;
            try
            {
                value = await response.Content.ReadFromJsonAsync(typeInfo, cancellationToken);
            }
            catch (JsonException ex)
            {
                return ApiResult.Failed<T>(Malformed(response, $"a body that is not the JSON this API sends ({ex.Message})"));
            }

            return value is null
                ? ApiResult.Failed<T>(Malformed(response, "an empty body"))
                : ApiResult.Ok(value);
        }

        return ApiResult.Failed<T>(await ReadProblemAsync(response, cancellationToken));
    }

    /// <summary>
    /// Like <see cref="ReadAsync{T}(HttpResponseMessage, JsonTypeInfo{T}, CancellationToken)"/> for an untrusted peer:
    /// the body (read after the headers, <see cref="HttpCompletionOption.ResponseHeadersRead"/>) may not exceed
    /// <paramref name="maxBytes"/>, and each read must bring bytes within <paramref name="idleTimeout"/>. Invalid,
    /// truncated or oversized JSON becomes a problem that says so; a stall throws <see cref="IdleTimeoutException"/>.
    /// </summary>
    public static async Task<ApiResult<T>> ReadAsync<T>(HttpResponseMessage response, JsonTypeInfo<T> typeInfo, long maxBytes, TimeSpan idleTimeout, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(response);
        if (!response.IsSuccessStatusCode)
        {
            return ApiResult.Failed<T>(await ReadProblemAsync(response, idleTimeout, cancellationToken));
        }

        var what = Describe(response);
        if (response.Content.Headers.ContentLength > maxBytes)
        {
            return ApiResult.Failed<T>(Malformed(response, $"a body of {response.Content.Headers.ContentLength} bytes, more than the {maxBytes} accepted for it; nothing was read"));
        }

        try
        {
            await using var body = new GuardedReadStream(await response.Content.ReadAsStreamAsync(cancellationToken), what, maxBytes, idleTimeout);
            var value = await JsonSerializer.DeserializeAsync(body, typeInfo, cancellationToken);
            return value is null
                ? ApiResult.Failed<T>(Malformed(response, "an empty body (JSON null)"))
                : ApiResult.Ok(value);
        }
        catch (JsonException ex)
        {
            return ApiResult.Failed<T>(Malformed(response, $"a body that is not the JSON this API sends ({ex.Message})"));
        }
        catch (ResponseTooLargeException ex)
        {
            return ApiResult.Failed<T>(Malformed(response, $"a body larger than the {ex.Limit} bytes accepted for it; reading stopped there"));
        }
    }

    public static async Task<Problem> ReadProblemAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(response);
        try
        {
            var problem = await response.Content.ReadFromJsonAsync(ProtocolJsonContext.Default.Problem, cancellationToken);
            if (problem is not null)
            {
                return problem;
            }
        }
        catch (JsonException)
        {
            // Not problem+json (a proxy, or a server of another kind): describe the status below.
        }

        return Malformed(response, "no problem description");
    }

    /// <summary>Reads a problem description of at most <see cref="MaxProblemBytes"/>, waiting at most <paramref name="idleTimeout"/> for each read.</summary>
    public static async Task<Problem> ReadProblemAsync(HttpResponseMessage response, TimeSpan idleTimeout, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(response);
        try
        {
            await using var body = new GuardedReadStream(await response.Content.ReadAsStreamAsync(cancellationToken), Describe(response), MaxProblemBytes, idleTimeout);
            var problem = await JsonSerializer.DeserializeAsync(body, ProtocolJsonContext.Default.Problem, cancellationToken);
            if (problem is not null)
            {
                return problem;
            }
        }
        catch (Exception ex) when (ex is JsonException or ResponseTooLargeException)
        {
            // Not a problem description (a proxy, a server of another kind, or garbage): describe the status below.
        }

        return Malformed(response, "no problem description");
    }

    private static string Describe(HttpResponseMessage response) =>
        response.RequestMessage is { RequestUri: { } uri } request
            ? $"{request.Method} {(uri.IsAbsoluteUri ? uri.AbsolutePath : uri.OriginalString)}"
            : "the answer";

    private static Problem Malformed(HttpResponseMessage response, string what) => new()
    {
        Type = ProblemTypes.Internal,
        Title = "Unexpected response",
        Status = (int)response.StatusCode,
        Detail = $"{(response.RequestMessage is null ? "The server" : Describe(response))} answered {(int)response.StatusCode} {response.ReasonPhrase} with {what}.",
    };
}
