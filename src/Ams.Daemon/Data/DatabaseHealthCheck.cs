using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Ams.Daemon.Data;

/// <summary>Readiness: the AMS's SQLite database opens and answers <c>SELECT 1</c>.</summary>
internal sealed class DatabaseHealthCheck(AmsDatabase database) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT 1";
        await command.ExecuteScalarAsync(cancellationToken);
        return HealthCheckResult.Healthy(database.Path);
    }
}
