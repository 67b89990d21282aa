using Microsoft.AspNetCore.Http;

namespace Ams.Daemon.Api;

/// <summary>The envelope's answer when a handler throws: a 500 that points to the log (the exception handler's body).</summary>
internal static class InternalError
{
    public static Task WriteAsync(HttpContext context) =>
        Envelope.WriteErrorAsync(context, new ApiProblem(500, $"The management service failed to handle {context.Request.Method} {context.Request.Path}; its log has the details (trace id {context.TraceIdentifier})."));
}
