using Aar.Protocol.Http;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace Aar.Server.Storage;

/// <summary>
/// Admits an upload body: it must declare its length (so the size limit is enforced before a byte is read), stay
/// under the configured maximum, and only then is Kestrel's global 1 MiB body limit raised for this one request
/// (<see cref="IHttpMaxRequestBodySizeFeature"/>, the documented per-request override).
/// </summary>
internal static class RequestBodies
{
    public static Problem? Admit(HttpContext context, long maximum, out long length)
    {
        length = 0;
        if (context.Request.ContentLength is not { } declared)
        {
            return new Problem
            {
                Type = ProblemTypes.LengthRequired,
                Title = "Content-Length required",
                Status = StatusCodes.Status411LengthRequired,
                Detail = "Uploads must declare Content-Length (no chunked transfer encoding), so the size limit is checked before any byte is stored.",
            };
        }

        if (declared > maximum)
        {
            return new Problem
            {
                Type = ProblemTypes.BodyTooLarge,
                Title = "Body too large",
                Status = StatusCodes.Status413PayloadTooLarge,
                Detail = $"The body declares {declared} bytes, more than this registry accepts ({maximum} bytes, aar serve --max-blob-size).",
            };
        }

        var limit = context.Features.Get<IHttpMaxRequestBodySizeFeature>();
        if (limit is { IsReadOnly: false })
        {
            limit.MaxRequestBodySize = declared;
        }

        length = declared;
        return null;
    }
}
