using Microsoft.Extensions.Logging;
using Npgsql;

namespace Aar.Server.Data;

/// <summary>
/// The trust store travels over the database connection: a connection that does not verify the server lets a machine
/// on the path read it or change it (trust itself as a publisher). Warned about, not refused, so that a setup behind
/// another protection (a VPN, an stunnel) keeps working; docs/scale-out.md shows the verified form.
/// </summary>
internal static partial class PostgresTransportWarning
{
    public static void WarnIfUnverified(RegistryDatabase database, ILogger logger)
    {
        if (database is PostgresRegistryDatabase postgres)
        {
            var builder = new NpgsqlConnectionStringBuilder(postgres.ConnectionString);
            if (PostgresConnectionString.IsUnverifiedRemote(builder))
            {
                Log.DatabaseTlsUnverified(logger, database.Description, builder.SslMode.ToString());
            }
        }
    }

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Warning, Message = "The connection to PostgreSQL at {Database} does not verify the server (SSL mode {SslMode}): anyone on the network path could read or change the trust store. Use sslmode=verify-full with the server's root certificate (docs/scale-out.md)")]
        public static partial void DatabaseTlsUnverified(ILogger logger, string database, string sslMode);
    }
}
