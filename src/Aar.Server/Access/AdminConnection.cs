using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Http;

namespace Aar.Server.Access;

/// <summary>
/// Marks connections accepted on the admin unix socket. The marker is set by connection middleware on that
/// listener only, so a request arriving over TCP can never be mistaken for an admin request.
/// </summary>
internal sealed class AdminConnection
{
    private static readonly AdminConnection Instance = new();

    public static ConnectionDelegate Mark(ConnectionDelegate next) => connection =>
    {
        connection.Features.Set(Instance);
        return next(connection);
    };

    public static bool IsAdmin(HttpContext context) => context.Features.Get<AdminConnection>() is not null;
}
