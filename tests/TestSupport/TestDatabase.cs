using System.Data.Common;
using System.Net;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace TestSupport;

/// <summary>
/// The metadata database a test registry runs on. Embedded SQLite in the data directory by default; when
/// <c>AAR_TEST_DATABASE</c> holds a PostgreSQL admin connection string (Npgsql keyword form, as
/// scripts/ci/postgres.sh prints), each test registry gets a fresh database of its own
/// (<c>aar_test_&lt;random&gt;</c>), dropped on dispose, so tests stay isolated and can run in parallel.
/// </summary>
public sealed class TestDatabase : IAsyncDisposable
{
    public const string EnvironmentVariable = "AAR_TEST_DATABASE";

    private readonly string? _sqlitePath;

    private TestDatabase(string? sqlitePath, string? postgresConnectionString, string? name)
    {
        _sqlitePath = sqlitePath;
        ConnectionString = postgresConnectionString;
        Name = name;
    }

    /// <summary>The admin connection string from the environment, or null when tests run on SQLite.</summary>
    public static string? AdminConnectionString =>
        Environment.GetEnvironmentVariable(EnvironmentVariable) is { Length: > 0 } value ? value : null;

    public static bool UsePostgres => AdminConnectionString is not null;

    /// <summary>The value for <c>ServeOptions.Database</c>: null for the embedded database.</summary>
    public string? ConnectionString { get; }

    public string? Name { get; }

    /// <summary>A <see cref="TcpProxy"/> in front of this PostgreSQL database's server, for fault tests.</summary>
    public TcpProxy StartProxy()
    {
        var direct = new NpgsqlConnectionStringBuilder(ConnectionString ?? throw new InvalidOperationException("Not a PostgreSQL database."));
        return new TcpProxy(new IPEndPoint(IPAddress.Parse(direct.Host!), direct.Port));
    }

    /// <summary>
    /// This database's connection string through <paramref name="proxy"/>, with a 3 s connect timeout (and
    /// <paramref name="commandTimeout"/> seconds per command when given), so a cut connection fails in seconds.
    /// </summary>
    public string ConnectionStringThrough(TcpProxy proxy, int? commandTimeout = null)
    {
        ArgumentNullException.ThrowIfNull(proxy);
        var builder = new NpgsqlConnectionStringBuilder(ConnectionString) { Host = "127.0.0.1", Port = proxy.Port, Timeout = 3 };
        if (commandTimeout is { } seconds)
        {
            builder.CommandTimeout = seconds;
        }

        return builder.ConnectionString;
    }

    /// <summary>A new PostgreSQL database when <see cref="UsePostgres"/>, else the SQLite file of <paramref name="dataDirectory"/>.</summary>
    public static async Task<TestDatabase> CreateAsync(string dataDirectory) =>
        UsePostgres ? await CreatePostgresAsync() : new TestDatabase(Path.Combine(dataDirectory, "aar.db"), null, null);

    /// <summary>Always a new PostgreSQL database (for tests about PostgreSQL, marked <c>[PostgresFact]</c>).</summary>
    public static async Task<TestDatabase> CreatePostgresAsync()
    {
        var admin = AdminConnectionString ?? throw new InvalidOperationException($"{EnvironmentVariable} is not set.");
        var name = $"aar_test_{Guid.NewGuid():N}"[..25];
        await using (var connection = new NpgsqlConnection(admin))
        {
            await connection.OpenAsync();
            await using var create = new NpgsqlCommand($"CREATE DATABASE {name}", connection);
            await create.ExecuteNonQueryAsync();
        }

        var builder = new NpgsqlConnectionStringBuilder(admin) { Database = name };
        return new TestDatabase(null, builder.ConnectionString, name);
    }

    /// <summary>A direct connection for writing states the API cannot produce (the server should be stopped or idle).</summary>
    public async Task<DbConnection> OpenAsync()
    {
        DbConnection connection = ConnectionString is null
            ? new SqliteConnection($"Data Source={_sqlitePath};Pooling=False")
            : new NpgsqlConnection(new NpgsqlConnectionStringBuilder(ConnectionString) { Pooling = false }.ConnectionString);
        await connection.OpenAsync();
        return connection;
    }

    public async ValueTask DisposeAsync()
    {
        if (Name is null)
        {
            return;
        }

        await using var connection = new NpgsqlConnection(AdminConnectionString);
        await connection.OpenAsync();
        // FORCE: a stopped server's pooled connections may not have closed yet.
        await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS {Name} WITH (FORCE)", connection);
        await drop.ExecuteNonQueryAsync();
    }
}
