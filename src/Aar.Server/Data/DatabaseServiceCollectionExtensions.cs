using Aar.Hosting;
using Aar.Server.Hosting;
using Aar.Server.Trust;
using Microsoft.Extensions.DependencyInjection;

namespace Aar.Server.Data;

internal static class DatabaseServiceCollectionExtensions
{
    /// <summary>
    /// The metadata database chosen by <see cref="ServeOptions.Database"/>: the embedded SQLite file in the data
    /// directory by default, or a shared PostgreSQL plus the listener that follows other nodes' trust changes.
    /// </summary>
    public static IServiceCollection AddRegistryDatabase(this IServiceCollection services, ServeOptions options, DataDirectory data)
    {
        if (string.IsNullOrWhiteSpace(options.Database))
        {
            services.AddSingleton<RegistryDatabase>(new SqliteRegistryDatabase(data.DatabasePath));
            return services;
        }

        // Already checked by ServeOptionsValidator; parsed again here so the password stays only in the data source.
        if (!PostgresConnectionString.TryParse(options.Database, out var connection, out var error))
        {
            throw new StartupException(error!);
        }

        // Created by the container (not passed as an instance) so it is disposed with it: closing the pool.
        services.AddSingleton(_ => new PostgresRegistryDatabase(connection!));
        services.AddSingleton<RegistryDatabase>(provider => provider.GetRequiredService<PostgresRegistryDatabase>());
        services.AddHostedService<TrustListener>();
        return services;
    }
}
