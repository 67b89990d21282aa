using System.Collections.Concurrent;
using Aar.Hosting;
using Aar.Server.Data;
using Aar.Server.Hosting;
using Microsoft.Extensions.Logging;
using TestSupport;

namespace Aar.Server.Tests.Postgres;

public sealed class PostgresTransportWarningTests
{
    [Theory]
    [InlineData("postgres://aar@db.example/aar", true)]
    [InlineData("postgres://aar@db.example/aar?sslmode=require", true)]
    [InlineData("postgres://aar@db.example/aar?sslmode=prefer", true)]
    [InlineData("Host=10.0.0.5;Database=aar;SSL Mode=Disable", true)]
    [InlineData("postgres://aar@db.example/aar?sslmode=verify-full&Root%20Certificate=/etc/aar/db-ca.crt", false)]
    [InlineData("postgres://aar@db.example/aar?sslmode=verify-ca&Root%20Certificate=/etc/aar/db-ca.crt", false)]
    [InlineData("Host=db.example;Database=aar;SSL Mode=VerifyFull;Root Certificate=/etc/aar/db-ca.crt", false)]
    [InlineData("postgres://aar@127.0.0.1/aar", false)]
    [InlineData("postgres://aar@127.0.0.2:6543/aar?sslmode=disable", false)]
    [InlineData("postgres://aar@[::1]:5433/aar", false)]
    [InlineData("postgres://aar@localhost/aar", false)]
    [InlineData("Host=/var/run/postgresql;Database=aar", false)]
    [InlineData("Host=127.0.0.1,[::1]:5433,localhost:5434;Database=aar", false)]
    [InlineData("Host=127.0.0.1,db.example:5433;Database=aar", true)]
    [InlineData("Host=127.0.0.1.example;Database=aar", true)]
    [InlineData("Host=::ffff:10.0.0.5;Database=aar", true)]
    public void Warns_when_the_server_is_not_verified_and_not_on_this_machine(string connection, bool warns)
    {
        Assert.True(PostgresConnectionString.TryParse(connection, out var builder, out var error), error);

        Assert.Equal(warns, PostgresConnectionString.IsUnverifiedRemote(builder!));
    }

    [Fact]
    public void A_url_takes_the_libpq_spellings_of_the_tls_settings()
    {
        Assert.True(PostgresConnectionString.TryParse("postgres://aar@db.example/aar?sslmode=verify-full&sslrootcert=/etc/aar/db-ca.crt", out var builder, out var error), error);

        Assert.Equal(Npgsql.SslMode.VerifyFull, builder!.SslMode);
        Assert.Equal("/etc/aar/db-ca.crt", builder.RootCertificate);
        Assert.False(PostgresConnectionString.IsUnverifiedRemote(builder));
    }

    [Theory]
    [InlineData("Host=192.0.2.1;Database=aar;Username=aar;Timeout=1", true)]
    [InlineData("Host=192.0.2.1;Database=aar;Username=aar;Timeout=1;SSL Mode=VerifyFull", false)]
    public async Task Aar_serve_logs_the_warning_at_start_before_connecting(string connection, bool warns)
    {
        using var temp = new TempDirectory();
        var logs = new ConcurrentQueue<(LogLevel Level, string Message)>();
        var options = new ServeOptions { DataDirectory = temp.Combine("data"), Listen = "127.0.0.1:0", Database = connection };

        // 192.0.2.1 (TEST-NET-1) never answers: the start fails after the 1 s connect timeout.
        await Assert.ThrowsAsync<StartupException>(() => RegistryHost.StartAsync(options, logging: b => b.AddProvider(new CapturingLoggerProvider(logs))));

        var warnings = logs.Where(l => l.Level == LogLevel.Warning && l.Message.Contains("does not verify the server", StringComparison.Ordinal)).ToList();
        Assert.Equal(warns ? 1 : 0, warnings.Count);
        if (warns)
        {
            Assert.Equal("The connection to PostgreSQL at aar@192.0.2.1:5432/aar does not verify the server (SSL mode Prefer): anyone on the network path could read or change the trust store. Use sslmode=verify-full with the server's root certificate (docs/scale-out.md)", warnings[0].Message);
        }
    }

    private sealed class CapturingLoggerProvider(ConcurrentQueue<(LogLevel, string)> logs) : ILoggerProvider
    {
        public ILogger CreateLogger(string categoryName) => new CapturingLogger(logs);

        public void Dispose()
        {
        }

        private sealed class CapturingLogger(ConcurrentQueue<(LogLevel, string)> logs) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state)
                where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
                logs.Enqueue((logLevel, formatter(state, exception)));
        }
    }
}
