using TestSupport;

namespace Aar.Cli.Tests;

public sealed class ServeDatabaseOptionTests
{
    private const string Password = "pw-Never-Shown";

    [Theory]
    [InlineData($"Host=127.0.0.1;Port=1;Username=aar;Password={Password};Database=registry;Timeout=2", "aar serve: Cannot connect to PostgreSQL at aar@127.0.0.1:1/registry (")]
    [InlineData($"postgres://aar:{Password}@127.0.0.1:1/registry?Timeout=2", "aar serve: Cannot connect to PostgreSQL at aar@127.0.0.1:1/registry (")]
    [InlineData($"postgresql://aar:{Password}@127.0.0.1:notaport/registry", "aar serve: --database is not a PostgreSQL URL")]
    public async Task An_unusable_database_exits_1_with_one_sentence_that_hides_the_password(string database, string expected)
    {
        using var temp = new TempDirectory();

        var result = await CliHarness.RunAsync(["serve", "--data-dir", temp.Combine("data"), "--listen", "127.0.0.1:0", "--database", database]);

        Assert.Equal(1, result.ExitCode);
        Assert.StartsWith(expected, result.Error, StringComparison.Ordinal);
        Assert.Single(result.Error.Trim().Split('\n'));
        Assert.DoesNotContain(Password, result.Error, StringComparison.Ordinal);
        Assert.DoesNotContain(Password, result.Out, StringComparison.Ordinal);
    }
}
