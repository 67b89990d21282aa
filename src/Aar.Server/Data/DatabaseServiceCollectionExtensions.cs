using Aar.Hosting;
using Microsoft.Extensions.DependencyInjection;

namespace Aar.Server.Data;

internal static class DatabaseServiceCollectionExtensions
{
    /// <summary>
    /// The metadata database chosen by <see cref="RegistryDatabaseOptions.Database"/>: the embedded SQLite file in the
    /// data directory by default, or a shared PostgreSQL.
    /// </summary>
    public static IServiceCollection AddRegistryDatabase(this IServiceCollection services, RegistryDatabaseOptions options)
    {
        services.AddSingleton<DatabaseProbe>();
        services.AddSingleton<IMetricsSource>(provider => provider.GetRequiredService<DatabaseProbe>());
        if (!options.IsShared)
        {
            services.AddSingleton<RegistryDatabase>(new SqliteRegistryDatabase(options.SqlitePath));
            return services;
        }

        // Already checked by the options' validation; parsed again here so the password stays only in the data source.
        if (!PostgresConnectionString.TryParse(options.Database!, out var connection, out var error))
        {
            throw new StartupException(error!);
        }

        // Created by the container (not passed as an instance) so it is disposed with it: closing the pool.
        services.AddSingleton(_ => new PostgresRegistryDatabase(connection!));
        services.AddSingleton<RegistryDatabase>(provider => provider.GetRequiredService<PostgresRegistryDatabase>());
        return services;
    }
}
