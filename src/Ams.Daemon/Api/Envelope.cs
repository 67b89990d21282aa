using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Aar.Protocol.Management;
using Microsoft.AspNetCore.Http;

namespace Ams.Daemon.Api;

/// <summary>Writes the original product's response envelope: <c>sync</c>, <c>async</c> (202 + operation) or <c>error</c>.</summary>
internal static class Envelope
{
    public static IResult Sync<T>(T value, JsonTypeInfo<T> typeInfo) => Write(new Response
    {
        Type = Response.Sync,
        Status = "Success",
        StatusCode = 200,
        Metadata = JsonSerializer.SerializeToElement(value, typeInfo),
    }, StatusCodes.Status200OK);

    public static IResult Async(OperationInfo operation) => Write(new Response
    {
        Type = Response.Async,
        Status = "Operation created",
        StatusCode = 100,
        Operation = ManagementRoutes.Operation(operation.Id),
        Metadata = JsonSerializer.SerializeToElement(operation, ManagementJsonContext.Default.OperationInfo),
    }, StatusCodes.Status202Accepted);

    public static IResult Error(ApiProblem error) => Write(ErrorBody(error), error.Code);

    public static IResult From<T>(Result<T> result, JsonTypeInfo<T> typeInfo) =>
        result.Succeeded ? Sync(result.Value!, typeInfo) : Error(result.Error!);

    public static Task WriteErrorAsync(HttpContext context, ApiProblem error)
    {
        context.Response.StatusCode = error.Code;
        return context.Response.WriteAsJsonAsync(ErrorBody(error), ManagementJsonContext.Default.Response, cancellationToken: context.RequestAborted);
    }

    private static Response ErrorBody(ApiProblem error) => new() { Type = Response.ErrorType, Error = error.Message, ErrorCode = error.Code };

    private static IResult Write(Response response, int status) =>
        Results.Json(response, ManagementJsonContext.Default.Response, statusCode: status);
}
