using System.CommandLine;
using Aar.Cli.Common;
using Aar.Protocol.Enrolment;
using Aar.Protocol.Registry;
using TestSupport;
using Xunit.Abstractions;

namespace Aar.Cli.Tests;

/// <summary>
/// The output grammar of <c>aar</c> (docs/cli.md), with <c>aar</c> as a real process against a real registry: every
/// <c>--format</c> value a help offers works, and every list/show command's JSON and YAML match their golden files
/// and each other.
/// </summary>
public sealed class OutputGrammarTests(ITestOutputHelper output)
{
    /// <summary>
    /// Every command with a <c>--format</c> option and the arguments it needs besides. A new command with the option
    /// fails <see cref="Every_format_a_help_offers_works"/> until it is added here.
    /// </summary>
    private static readonly Dictionary<string, string[]> Commands = new(StringComparer.Ordinal)
    {
        ["trust list"] = [],
        ["trust token create"] = ["--name", "golden"],
        ["trust token list"] = [],
        ["application list"] = [],
        ["application show"] = ["game"],
        ["status"] = [],
        ["storage scrub"] = [],
        ["signing-key show"] = [],
        ["signing-key rotate"] = ["--yes"],
    };

    /// <summary>One golden fixture per list/show command (and the data-printing commands): name, arguments, values that change per run.</summary>
    private static readonly (string Name, string[] Args, string[] VolatileKeys)[] Fixtures =
    [
        ("trust-list", ["trust", "list"], []),
        ("trust-list-revoked", ["trust", "list", "--revoked"], []),
        ("trust-token-list", ["trust", "token", "list"], []),
        ("trust-token-create", ["trust", "token", "create", "--name", "golden"], ["token"]),
        ("application-list", ["application", "list"], []),
        ("application-show", ["application", "show", "game"], []),
        ("status", ["status"], ["server_version", "signing_public_key"]),
        ("signing-key-show", ["signing-key", "show"], ["public_key"]),
        ("storage-scrub", ["storage", "scrub"], []),
    ];

    [Fact]
    public async Task Every_format_a_help_offers_works()
    {
        await using var server = await SeedAsync();
        var withFormat = FormatOptions(AarCommand.Create(CliConsole.System)).ToList();
        Assert.Equal(Commands.Keys.Order(StringComparer.Ordinal), withFormat.Select(c => c.Path).Order(StringComparer.Ordinal));

        foreach (var (path, option) in withFormat)
        {
            var values = OutputFormatOption.Values(option);
            var help = await AarProcess.RunAsync(null, [.. path.Split(' '), "--help"]);
            var line = Assert.Single(help.Out.Split('\n'), l => l.TrimStart().StartsWith("--format", StringComparison.Ordinal));
            Assert.StartsWith($"--format <{string.Join('|', values)}>", line.Trim(), StringComparison.Ordinal);
            Assert.DoesNotMatch("Table|Csv|Json|Yaml", line);
            foreach (var value in values)
            {
                var result = await AarProcess.RunAsync(null, [.. path.Split(' '), .. Commands[path], "--format", value, "--data-dir", server.DataDirectory]);
                Assert.True(result.ExitCode == 0, $"aar {path} --format {value} exited {result.ExitCode}: {result.Error}");
                CliGrammar.AssertIs(value, result.Out, $"aar {path} --format {value}");
            }
        }
    }

    [Fact]
    public async Task Json_and_yaml_of_every_list_and_show_command_match_their_golden_files_and_each_other()
    {
        await using var server = await SeedAsync();
        var problems = new List<string>();
        foreach (var (name, args, volatileKeys) in Fixtures)
        {
            var json = await AarProcess.RunAsync(null, [.. args, "--format", "json", "--data-dir", server.DataDirectory]);
            var yaml = await AarProcess.RunAsync(null, [.. args, "--format", "yaml", "--data-dir", server.DataDirectory]);
            Assert.True((json.ExitCode, yaml.ExitCode) == (0, 0), $"{name}: {json.Error}{yaml.Error}");
            if (name != "trust-token-create")
            {
                // Each token create makes a new token; the other commands print the same data twice.
                CliGrammar.AssertSameTree(json.Out, yaml.Out, name);
            }

            problems.Add(CliGrammar.CompareGolden($"aar-{name}.json", json.Out, volatileKeys) ?? "");
            problems.Add(CliGrammar.CompareGolden($"aar-{name}.yaml", yaml.Out, volatileKeys) ?? "");
        }

        Assert.True(problems.All(p => p.Length == 0), string.Join("\n", problems.Where(p => p.Length > 0)));
    }

    /// <summary>A registry holding a bit of everything: two versions of one application, a client, a revoked certificate, a token.</summary>
    private async Task<RegistryTestServer> SeedAsync()
    {
        var server = await RegistryTestServer.StartAsync(output);
        await ApplicationCommandTests.PublishAsync(server, ("game", "amd64", 0), ("game", "amd64", 1));
        using var client = TestCertificates.Client("golden-client");
        using var revoked = TestCertificates.Client("golden-revoked");
        await server.TrustAsync(client, TrustRole.Client);
        await server.TrustAsync(revoked, TrustRole.Client);
        using var admin = server.Admin();
        Assert.True((await admin.RevokeAsync(TestCertificates.FingerprintOf(revoked))).Succeeded);
        Assert.True((await admin.CreateTokenAsync(new CreateTokenRequest { Role = "client", Name = "golden-token" })).Succeeded);
        return server;
    }

    private static IEnumerable<(string Path, Option Option)> FormatOptions(Command command, string prefix = "")
    {
        foreach (var sub in command.Subcommands)
        {
            var path = prefix.Length == 0 ? sub.Name : $"{prefix} {sub.Name}";
            if (sub.Options.FirstOrDefault(o => o.Name == OutputFormatOption.Name) is { } option)
            {
                yield return (path, option);
            }

            foreach (var nested in FormatOptions(sub, path))
            {
                yield return nested;
            }
        }
    }
}
