using System.Net.Sockets;
using Aar.Protocol.Http;

namespace Aar.Protocol.Management;

/// <summary>Turns the AMS error envelope and connection failures into <see cref="Problem"/>s with stable types.</summary>
public static class ManagementErrors
{
    public static Problem FromEnvelope(Response envelope, int httpStatus)
    {
        ArgumentNullException.ThrowIfNull(envelope);
        var code = envelope.ErrorCode ?? httpStatus;
        return FromCode(code, envelope.Error ?? $"The daemon answered with error {code}.");
    }

    /// <summary>Maps an HTTP status the daemon reported (also an operation's <c>err_code</c>) to a problem.</summary>
    public static Problem FromCode(int code, string message) => new()
    {
        Type = code switch
        {
            404 => ProblemTypes.NotFound,
            409 => ProblemTypes.Conflict,
            502 => ProblemTypes.RegistryUnreachable,
            >= 400 and < 500 => ProblemTypes.InvalidRequest,
            _ => ProblemTypes.Internal,
        },
        Title = "AMS error",
        Status = code,
        Detail = message,
    };

    public static Problem Unreachable(SocketException error, string socketPath)
    {
        ArgumentNullException.ThrowIfNull(error);
        var reason = error.SocketErrorCode switch
        {
            SocketError.AddressNotAvailable or SocketError.ConnectionRefused when !File.Exists(socketPath) =>
                $"no AMS is running with this data directory ({socketPath} does not exist)",
            SocketError.ConnectionRefused => $"no AMS is listening on {socketPath} (a stale socket from a stopped daemon)",
            SocketError.AccessDenied => $"permission denied on {socketPath}; run as root or as a member of the socket's group",
            _ => $"cannot connect to {socketPath} ({error.Message})",
        };
        return new Problem
        {
            Type = ProblemTypes.Unreachable,
            Title = "AMS not reachable",
            Status = 0,
            Detail = $"Cannot reach the management service: {reason}. Start it with 'ams serve', or point to its data directory with --data-dir or AMS_DATA_DIR.",
        };
    }

    public static Problem ConnectionLost(Exception error, string socketPath)
    {
        ArgumentNullException.ThrowIfNull(error);
        return new Problem
        {
            Type = ProblemTypes.Unreachable,
            Title = "Connection lost",
            Status = 0,
            Detail = $"The connection to the management service on {socketPath} broke ({error.Message.TrimEnd('.')}); check that 'ams serve' is still running and its log, then try again.",
        };
    }

    public static Problem Malformed(HttpResponseMessage response)
    {
        ArgumentNullException.ThrowIfNull(response);
        return new Problem
        {
            Type = ProblemTypes.Internal,
            Title = "Unexpected response",
            Status = (int)response.StatusCode,
            Detail = $"The management service answered {(int)response.StatusCode} {response.ReasonPhrase} without a readable body; is the socket really an AMS?",
        };
    }
}
