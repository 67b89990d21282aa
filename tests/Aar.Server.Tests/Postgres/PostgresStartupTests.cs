using Aar.Hosting;
using Aar.Server.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;
using TestSupport;
using Xunit.Abstractions;

namespace Aar.Server.Tests.Postgres;

/// <summary>Starting on PostgreSQL: refusals are one sentence without the password; concurrent migrations; newer schemas.</summary>
public sealed class PostgresStartupTests(ITestOutputHelper output)
{
    private const string Password = "s3cret-Pa55";

    [Theory]
    [InlineData($"Host=127.0.0.1;Port=1;Username=aar;Password={Password};Database=registry;Timeout=3")]
    [InlineData($"postgres://aar:{Password}@127.0.0.1:1/registry?Timeout=3")]
    public async Task An_unreachable_database_stops_the_start_with_one_sentence_and_no_password(string connection)
    {
        using var temp = new TempDirectory();

        var error = await Assert.ThrowsAsync<StartupException>(() => StartAsync(temp.Combine("data"), connection));

        output.WriteLine(error.Message);
        Assert.StartsWith("Cannot connect to PostgreSQL at aar@127.0.0.1:1/registry (", error.Message, StringComparison.Ordinal);
        Assert.EndsWith("check that the server is running and reachable, and the host and port in --database.", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(Password, error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', error.Message);
    }

    [Theory]
    [InlineData($"postgres://aar:{Password}@db.example:notaport/registry", "--database is not a PostgreSQL URL")]
    [InlineData($"Host=db;Password={Password};Frobnicate=1", "--database is not a PostgreSQL URL")]
    [InlineData($"Username=aar;Password={Password}", "--database names no host")]
    public void An_unparsable_connection_string_is_refused_naming_the_option_and_not_the_password(string connection, string expected)
    {
        var errors = ServeOptionsValidator.Validate(new ServeOptions { DataDirectory = "/tmp/aar-x", Database = connection });

        var error = Assert.Single(errors);
        output.WriteLine(error);
        Assert.StartsWith(expected, error, StringComparison.Ordinal);
        Assert.DoesNotContain(Password, error, StringComparison.Ordinal);
    }

    [PostgresFact]
    public async Task A_missing_database_stops_the_start_saying_it_does_not_exist()
    {
        using var temp = new TempDirectory();
        var connection = new NpgsqlConnectionStringBuilder(TestDatabase.AdminConnectionString) { Database = "aar_no_such_database" }.ConnectionString;

        var error = await Assert.ThrowsAsync<StartupException>(() => StartAsync(temp.Combine("data"), connection));

        Assert.Contains("/aar_no_such_database does not exist; create it (CREATE DATABASE)", error.Message, StringComparison.Ordinal);
    }

    [PostgresFact]
    public async Task A_schema_newer_than_this_build_stops_the_start_and_is_left_untouched()
    {
        await using var server = await RegistryTestServer.StartAsync(output, database: await TestDatabase.CreatePostgresAsync());
        await using var database = server.Database;
        await server.StopAsync();
        await ExecuteAsync(database, "INSERT INTO schema_version (version) VALUES (99)");

        var error = await Assert.ThrowsAsync<StartupException>(() => server.RestartAsync());

        Assert.Matches("^The PostgreSQL database .+ has schema version 99, newer than this aar understands \\(" + Aar.Server.Data.PostgresMigrations.Steps.Length + "\\); run the newer aar on every node, or restore a backup made with this one\\.$", error.Message);
        Assert.Equal(99L, await ScalarAsync(database, "SELECT max(version) FROM schema_version"));
    }

    [PostgresFact]
    public async Task Two_nodes_starting_together_on_an_empty_database_both_start_with_one_migration()
    {
        await using var database = await TestDatabase.CreatePostgresAsync();
        using var first = new TempDirectory();
        using var second = new TempDirectory();

        var nodes = await Task.WhenAll(StartAsync(first.Combine("data"), database.ConnectionString!), StartAsync(second.Combine("data"), database.ConnectionString!));
        try
        {
            // Each step ran once, by one of the two nodes.
            Assert.Equal((long)Aar.Server.Data.PostgresMigrations.Steps.Length, await ScalarAsync(database, "SELECT count(*) FROM schema_version"));
            Assert.Equal((long)Aar.Server.Data.PostgresMigrations.Steps.Length, await ScalarAsync(database, "SELECT max(version) FROM schema_version"));
            Assert.Equal(1L, await ScalarAsync(database, "SELECT count(*) FROM registry_state"));
            Assert.Equal(2L, await ScalarAsync(database, "SELECT count(*) FROM information_schema.columns WHERE table_name = 'upload_sessions' AND column_name IN ('hash_state', 'staging')"));
            Assert.Equal(1L, await ScalarAsync(database, "SELECT count(*) FROM information_schema.columns WHERE table_name = 'revoked_certificates' AND column_name = 'public_key'"));
        }
        finally
        {
            foreach (var node in nodes)
            {
                await node.DisposeAsync();
            }
        }
    }

    private Task<RegistryHost> StartAsync(string dataDirectory, string database) =>
        RegistryHost.StartAsync(new ServeOptions { DataDirectory = dataDirectory, Listen = "127.0.0.1:0", Database = database }, l => l.AddProvider(new XunitLoggerProvider(output)));

    internal static async Task ExecuteAsync(TestDatabase database, string sql)
    {
        await using var connection = await database.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync();
    }

    internal static async Task<long> ScalarAsync(TestDatabase database, string sql)
    {
        await using var connection = await database.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        return Convert.ToInt64(await command.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture);
    }
}
