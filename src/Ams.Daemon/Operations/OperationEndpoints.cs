using Aar.Protocol.Management;
using Ams.Daemon.Api;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Ams.Daemon.Operations;

/// <summary><c>GET /1.0/operations/{id}</c> and <c>/wait?timeout=seconds</c> (returns when done or when the timeout passes).</summary>
internal static class OperationEndpoints
{
    private const int MaxWaitSeconds = 24 * 3600;

    public static IEndpointRouteBuilder MapOperations(this IEndpointRouteBuilder app)
    {
        app.MapGet(ManagementRoutes.Operations + "/{id}", (string id, OperationRegistry operations) =>
            operations.Find(id) is { } operation ? Envelope.Sync(operation.Info, ManagementJsonContext.Default.OperationInfo) : NotFound(id));
        app.MapGet(ManagementRoutes.Operations + "/{id}/wait", Wait);
        return app;
    }

    private static async Task<IResult> Wait(string id, int? timeout, OperationRegistry operations, TimeProvider time, CancellationToken cancellationToken)
    {
        if (operations.Find(id) is not { } operation)
        {
            return NotFound(id);
        }

        var seconds = Math.Clamp(timeout ?? MaxWaitSeconds, 0, MaxWaitSeconds);
        try
        {
            await operation.Done.WaitAsync(TimeSpan.FromSeconds(seconds), time, cancellationToken);
        }
        catch (TimeoutException)
        {
            // Still running: answer with its current state; the caller decides whether to wait again.
        }

        return Envelope.Sync(operation.Info, ManagementJsonContext.Default.OperationInfo);
    }

    private static IResult NotFound(string id) =>
        Envelope.Error(ApiProblem.NotFound($"Operation {id} does not exist (finished operations are kept for an hour, and none survive a daemon restart)."));
}
