using Aar.Protocol.Http;
using Aar.Server.Data;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Aar.Server.Problems;

/// <summary>
/// The problem a request gets when its handler threw: the database busy or unavailable, the blob storage unavailable,
/// or anything else as an internal error. Used as the exception handler by the composition root.
/// </summary>
internal static partial class InternalErrors
{
    /// <summary>
    /// The log category of <see cref="Log.BlobStoreFailed"/>: the one it had when the composition root wrote these
    /// problems, so log filters keep matching.
    /// </summary>
    private const string LogCategory = "Aar.Server.Hosting.RegistryHost";

    /// <summary>Answers every unhandled exception with a problem; a blob-store failure is logged once, here, with the trace id its problem quotes.</summary>
    public static IApplicationBuilder UseInternalErrorProblems(this IApplicationBuilder app) =>
        app.UseExceptionHandler(new ExceptionHandlerOptions { ExceptionHandler = WriteAsync, SuppressDiagnosticsCallback = c => c.Exception is StorageUnavailableException });

    private static Task WriteAsync(HttpContext context)
    {
        // Each change is one transaction, so a database fault mid-request left nothing half-written: the client may
        // retry. Busy: after the 5 s busy timeout someone else holds the SQLite file (an sqlite3 shell, a backup tool).
        // Unavailable: the PostgreSQL server is down, unreachable or shutting down.
        var error = context.Features.Get<IExceptionHandlerFeature>()?.Error;
        var database = context.RequestServices.GetRequiredService<RegistryDatabase>();
        switch (error is null ? DatabaseFault.None : database.Classify(error))
        {
            case DatabaseFault.Busy:
                return ProblemResponses.WriteAsync(context, new Problem
                {
                    Type = ProblemTypes.DatabaseBusy,
                    Title = "Database busy",
                    Status = StatusCodes.Status503ServiceUnavailable,
                    Detail = "The registry database is locked by another process; nothing was changed. Release it (e.g. close an sqlite3 shell) and try again.",
                });
            case DatabaseFault.Unavailable:
                context.Response.Headers.RetryAfter = "5";
                return ProblemResponses.WriteAsync(context, new Problem
                {
                    Type = ProblemTypes.DatabaseUnavailable,
                    Title = "Database unavailable",
                    Status = StatusCodes.Status503ServiceUnavailable,
                    Detail = "The registry cannot reach its database right now; nothing was changed. Try again shortly; the server log says why.",
                });
        }

        // The blob store (S3) is down or refusing: nothing half-done became visible; the client may retry later. Its
        // message names the bucket, the object key or the backend host: logged, not sent (see ProblemTrace).
        if (error is StorageUnavailableException storage)
        {
            var trace = ProblemTrace.NewId();
            Log.BlobStoreFailed(context.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger(LogCategory), context.Request.Method, context.Request.Path, trace, storage);
            return ProblemResponses.WriteAsync(context, new Problem
            {
                Type = ProblemTypes.StorageUnavailable,
                Title = "Blob storage unavailable",
                Status = StatusCodes.Status503ServiceUnavailable,
                Detail = $"The registry's blob storage failed; nothing was changed. Try again in a moment; the server log has the cause (trace id {trace}).",
            });
        }

        return ProblemResponses.WriteAsync(context, new Problem
        {
            Type = ProblemTypes.Internal,
            Title = "Internal error",
            Status = StatusCodes.Status500InternalServerError,
            Detail = $"The registry failed to handle {context.Request.Method} {context.Request.Path}; the server log has the details (trace id {context.TraceIdentifier}).",
        });
    }

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Error, Message = "{Method} {Path}: the blob store failed (trace id {TraceId})")]
        public static partial void BlobStoreFailed(ILogger logger, string method, string path, string traceId, Exception exception);
    }
}
