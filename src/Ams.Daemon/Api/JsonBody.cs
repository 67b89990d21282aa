using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Microsoft.AspNetCore.Http;

namespace Ams.Daemon.Api;

/// <summary>
/// Reads a small JSON request body ourselves, so a malformed one gets the envelope's error with a sentence instead
/// of the framework's bare 400.
/// </summary>
internal static class JsonBody
{
    public static async Task<Result<T>> ReadAsync<T>(HttpRequest request, JsonTypeInfo<T> typeInfo, T? whenEmpty, CancellationToken cancellationToken)
        where T : class
    {
        if (request.ContentLength == 0 || (request.ContentLength is null && !request.HasJsonContentType()))
        {
            return whenEmpty is null ? ApiProblem.BadRequest($"The request needs a JSON body ({typeof(T).Name}).") : whenEmpty;
        }

        try
        {
            var value = await JsonSerializer.DeserializeAsync(request.Body, typeInfo, cancellationToken);
            return value is null ? ApiProblem.BadRequest($"The request body must be a JSON object ({typeof(T).Name}), not null.") : value;
        }
        catch (JsonException ex)
        {
            return ApiProblem.BadRequest($"The request body is not valid JSON for {typeof(T).Name} ({ex.Message.TrimEnd('.')}).");
        }
    }
}
