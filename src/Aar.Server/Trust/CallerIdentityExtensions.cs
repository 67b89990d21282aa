using Microsoft.AspNetCore.Http;

namespace Aar.Server.Trust;

internal static class CallerIdentityExtensions
{
    /// <summary>The caller <see cref="TrustGateMiddleware"/> authorised; every non-admin endpoint runs behind it.</summary>
    public static CallerIdentity Caller(this HttpContext context) =>
        context.Features.Get<CallerIdentity>() ?? throw new InvalidOperationException("TrustGateMiddleware did not run before this endpoint.");
}
