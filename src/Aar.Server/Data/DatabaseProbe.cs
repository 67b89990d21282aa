using System.Diagnostics;
using System.Diagnostics.Metrics;
using Aar.Hosting;
using Aar.Server.Metrics;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Aar.Server.Data;

/// <summary>
/// One round trip to the metadata database (open a connection, <c>SELECT 1</c>): the readiness check, and the
/// latency metric measured before each scrape and at each readiness check. For PostgreSQL it is the network and
/// server latency every request pays at least once; for SQLite, the file's.
/// </summary>
internal sealed class DatabaseProbe : IHealthCheck, IMetricsSource
{
    private readonly RegistryDatabase _database;
    private readonly Histogram<double> _roundTrip;

    public DatabaseProbe(RegistryDatabase database, IMeterFactory meters)
    {
        _database = database;
        _roundTrip = RegistryMeter.Create(meters).CreateHistogram<double>("database_round_trip_seconds", unit: "s", description: "Round trips to the metadata database (connect and SELECT 1), measured before each scrape and at each readiness check.");
    }

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        // WaitAsync: the check's timeout holds even if a black-holed connection ignores the token.
        await ProbeAsync(cancellationToken).WaitAsync(cancellationToken);
        return HealthCheckResult.Healthy(_database.Description);
    }

    public Task RefreshAsync(CancellationToken cancellationToken) => ProbeAsync(cancellationToken);

    private async Task ProbeAsync(CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        await using var connection = await _database.OpenAsync(cancellationToken);
        await using var command = connection.Command("SELECT 1");
        await command.ExecuteScalarAsync(cancellationToken);
        _roundTrip.Record(Stopwatch.GetElapsedTime(started).TotalSeconds);
    }
}
