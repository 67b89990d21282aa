using Aar.Server.Data;
using Npgsql;

namespace Aar.Server.Tests.Postgres;

public sealed class PostgresConnectionStringTests
{
    [Fact]
    public void A_url_gives_host_port_database_user_percent_decoded_password_and_keyword_query()
    {
        Assert.True(PostgresConnectionString.TryParse("postgres://aar%40ops:p%3Ass%2Fw0rd@db.example:6543/registry?sslmode=require&Timeout=7", out var builder, out var error), error);

        Assert.Equal("db.example", builder!.Host);
        Assert.Equal(6543, builder.Port);
        Assert.Equal("registry", builder.Database);
        Assert.Equal("aar@ops", builder.Username);
        Assert.Equal("p:ss/w0rd", builder.Password);
        Assert.Equal(SslMode.Require, builder.SslMode);
        Assert.Equal(7, builder.Timeout);
        Assert.Equal("aar", builder.ApplicationName);
        Assert.Equal("aar@ops@db.example:6543/registry", PostgresConnectionString.Describe(builder));
    }

    [Theory]
    [InlineData("postgresql://aar@127.0.0.1/registry", "127.0.0.1", 5432)]
    [InlineData("postgres://aar@[::1]:5433/registry", "::1", 5433)]
    [InlineData("Host=10.0.0.5;Port=5434;Database=registry;Username=aar;Password=x", "10.0.0.5", 5434)]
    public void Both_forms_name_the_server(string text, string host, int port)
    {
        Assert.True(PostgresConnectionString.TryParse(text, out var builder, out var error), error);

        Assert.Equal(host, builder!.Host);
        Assert.Equal(port, builder.Port);
        Assert.Equal("registry", builder.Database);
        Assert.DoesNotContain("Password", PostgresConnectionString.Describe(builder), StringComparison.OrdinalIgnoreCase);
    }

    [Theory]
    [InlineData("mysql://aar:secret@db/registry", "the URL scheme is 'mysql', not postgres or postgresql")]
    [InlineData("postgres://aar:secret@db/registry?Bogus=1", "Bogus")]
    [InlineData("Host=db;Password=secret;=x", "--database is not")]
    public void Anything_else_is_refused_without_echoing_the_password(string text, string expected)
    {
        Assert.False(PostgresConnectionString.TryParse(text, out _, out var error));

        Assert.Contains(expected, error, StringComparison.Ordinal);
        Assert.DoesNotContain("secret", error, StringComparison.Ordinal);
    }
}
