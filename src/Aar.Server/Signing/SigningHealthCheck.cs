using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Aar.Server.Signing;

/// <summary>
/// Readiness: this node can sign with the registry's current key. A node that cannot would answer every signed
/// listing with 503, so a load balancer should send clients to one that can.
/// </summary>
internal sealed class SigningHealthCheck(SigningKeys keys) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var state = await keys.CurrentAsync(cancellationToken);
        return state.Signer is { } signer
            ? HealthCheckResult.Healthy($"signing with key {signer.PublicKey.KeyId}")
            : HealthCheckResult.Unhealthy(state.Problem);
    }
}
