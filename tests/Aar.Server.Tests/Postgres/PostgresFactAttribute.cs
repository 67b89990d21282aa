using TestSupport;

namespace Aar.Server.Tests.Postgres;

/// <summary>A test about PostgreSQL: skipped, with the reason, unless <c>AAR_TEST_DATABASE</c> names a server.</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class PostgresFactAttribute : FactAttribute
{
    public PostgresFactAttribute()
    {
        if (!TestDatabase.UsePostgres)
        {
            Skip = $"Needs PostgreSQL: set {TestDatabase.EnvironmentVariable} to an admin connection string (scripts/ci/postgres.sh start prints one).";
        }
    }
}
