using Aar.Cli.Common;
using TestSupport;

namespace Aar.Cli.Tests;

/// <summary>
/// <c>aar migrate</c> refusing bad input before it touches anything: each refusal is one sentence, the right exit code,
/// and no password. (Real migrations into PostgreSQL + S3: Aar.Server.Tests/Migration and EndToEnd.Tests/ScaleOut.)
/// </summary>
public sealed class MigrateCommandTests
{
    private const string Password = "pw-Never-Shown";

    [Fact]
    public async Task Without_a_target_database_it_says_what_to_give()
    {
        using var temp = new TempDirectory();

        var result = await CliHarness.RunAsync(["migrate", "--data-dir", temp.Combine("data")]);

        Assert.Equal(ExitCodes.Usage, result.ExitCode);
        Assert.StartsWith("aar migrate: Nothing to migrate to: give the PostgreSQL database with --database", result.Error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData($"postgresql://aar:{Password}@127.0.0.1:notaport/registry")]
    [InlineData("not a connection string at all")]
    public async Task A_malformed_database_is_refused_without_showing_the_password(string database)
    {
        using var temp = new TempDirectory();

        var result = await CliHarness.RunAsync(["migrate", "--data-dir", temp.Combine("data"), "--database", database]);

        Assert.Equal(ExitCodes.Usage, result.ExitCode);
        Assert.StartsWith("aar migrate: --database ", result.Error, StringComparison.Ordinal);
        Assert.DoesNotContain(Password, result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_data_directory_without_a_registry_is_not_found()
    {
        using var temp = new TempDirectory();

        var result = await CliHarness.RunAsync(["migrate", "--data-dir", temp.Combine("empty"), "--database", "postgres://aar@127.0.0.1:1/registry"]);

        Assert.Equal(ExitCodes.NotFound, result.ExitCode);
        Assert.StartsWith($"aar migrate: There is no embedded registry in {temp.Combine("empty")} (no aar.db)", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unreachable_database_exits_2_with_one_sentence_that_hides_the_password()
    {
        using var temp = new TempDirectory();
        Directory.CreateDirectory(temp.Combine("data"));
        await File.WriteAllBytesAsync(temp.Combine("data", "aar.db"), []);

        var result = await CliHarness.RunAsync(["migrate", "--data-dir", temp.Combine("data"), "--database", $"postgres://aar:{Password}@127.0.0.1:1/registry?Timeout=2"]);

        Assert.Equal(ExitCodes.Unreachable, result.ExitCode);
        Assert.StartsWith("aar migrate: Cannot connect to PostgreSQL at aar@127.0.0.1:1/registry (", result.Error, StringComparison.Ordinal);
        Assert.Single(result.Error.Trim().Split('\n'));
        Assert.DoesNotContain(Password, result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_running_registry_is_not_migrated_from_under_it()
    {
        using var temp = new TempDirectory();
        Directory.CreateDirectory(temp.Combine("data"));
        // What a running `aar serve` holds: the data directory lock.
        await using var held = new FileStream(temp.Combine("data", "aar.lock"), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);

        var result = await CliHarness.RunAsync(["migrate", "--data-dir", temp.Combine("data"), "--database", "postgres://aar@127.0.0.1:1/registry"]);

        Assert.Equal(ExitCodes.Unreachable, result.ExitCode);
        Assert.StartsWith("aar migrate: Another 'aar serve' is already using the data directory", result.Error, StringComparison.Ordinal);
    }
}
