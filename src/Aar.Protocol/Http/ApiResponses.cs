using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace Aar.Protocol.Http;

/// <summary>Turns an HTTP response into an <see cref="ApiResult{T}"/>: the body on success, the problem otherwise.</summary>
public static class ApiResponses
{
    public const string ProblemContentType = "application/problem+json";

    public static async Task<ApiResult<T>> ReadAsync<T>(HttpResponseMessage response, JsonTypeInfo<T> typeInfo, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(response);
        if (response.IsSuccessStatusCode)
        {
            var value = await response.Content.ReadFromJsonAsync(typeInfo, cancellationToken);
            return value is null
                ? ApiResult.Failed<T>(Malformed(response, "an empty body"))
                : ApiResult.Ok(value);
        }

        return ApiResult.Failed<T>(await ReadProblemAsync(response, cancellationToken));
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

    private static Problem Malformed(HttpResponseMessage response, string what) => new()
    {
        Type = ProblemTypes.Internal,
        Title = "Unexpected response",
        Status = (int)response.StatusCode,
        Detail = $"The server answered {(int)response.StatusCode} {response.ReasonPhrase} with {what}.",
    };
}
