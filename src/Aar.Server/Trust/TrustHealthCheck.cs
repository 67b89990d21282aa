using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Aar.Server.Trust;

/// <summary>
/// Readiness: the trust snapshot requests are decided on is current, or can be made so now. When it is stale (another
/// node changed trust, or the change listener is behind) the check reloads it, as a request would; failing to reload
/// means every request would answer 503, so the node is not ready. Reloading while the change listener is down works
/// but costs every request a reload: reported as degraded (still 200, so a lone node stays in rotation).
/// </summary>
internal sealed class TrustHealthCheck(TrustStore trust) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        if (trust.IsCurrent)
        {
            return HealthCheckResult.Healthy("trust snapshot current");
        }

        await trust.RefreshAsync(cancellationToken).WaitAsync(cancellationToken);
        return trust.IsCurrent
            ? HealthCheckResult.Healthy("trust snapshot reloaded")
            : HealthCheckResult.Degraded("not following trust changes; every request reloads the trust store");
    }
}
