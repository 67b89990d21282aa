using System.CommandLine;
using Aar.Cli.Common;
using TestSupport;
using Xunit.Abstractions;

namespace Amc.Cli.Tests;

/// <summary>
/// The output grammar of <c>amc</c> (docs/cli.md), with <c>amc</c> as a real process against real AMS daemons joined
/// to a real registry: every <c>--format</c> value a help offers works, and every list/show command's JSON and YAML
/// match their golden files and each other.
/// </summary>
public sealed class OutputGrammarTests(ITestOutputHelper output)
{
    private enum On
    {
        Publisher,
        Client,
    }

    /// <summary>
    /// Every command with a <c>--format</c> option: the AMS it runs on, its arguments and the exit code it ends with
    /// there (retry pulls a version the client rejects again: exit 5 with the pass report on stdout). A new command
    /// with the option fails <see cref="Every_format_a_help_offers_works"/> until it is added here.
    /// </summary>
    private static readonly Dictionary<string, (On On, string[] Args, int Exit)> Commands = new(StringComparer.Ordinal)
    {
        ["application list"] = (On.Publisher, [], 0),
        ["application show"] = (On.Publisher, ["game"], 0),
        ["config show"] = (On.Publisher, [], 0),
        ["config trust list"] = (On.Publisher, [], 0),
        ["registry status"] = (On.Publisher, [], 0),
        ["registry list"] = (On.Publisher, [], 0),
        ["registry sync"] = (On.Publisher, ["--wait"], 0),
        ["registry push"] = (On.Publisher, ["game"], 0),
        ["registry pull"] = (On.Client, ["game"], 0),
        ["registry retry"] = (On.Client, ["bad"], ExitCodes.Conflict),
        ["registry verify"] = (On.Client, ["{scratch}/bad.zip", "--listing", "{scratch}/listing.json"], 0),
    };

    // Pass numbers, counts and sizes (bytes sent included) depend on how many passes ran and on random package content.
    private static readonly string[] PassKeys = ["number", "generation", "uploaded", "downloaded", "deleted", "unchanged", "running", "public_key", "listing_generation", "upload_sent_bytes", "upload_saved_bytes"];

    private static readonly (string Name, On On, string[] Args, string[] VolatileKeys)[] Fixtures =
    [
        ("application-list", On.Publisher, ["application", "list"], ["id", "size"]),
        ("application-show", On.Publisher, ["application", "show", "game"], ["id", "size"]),
        ("config-show", On.Publisher, ["config", "show"], ["registry.signing_key"]),
        ("config-trust-list", On.Publisher, ["config", "trust", "list"], []),
        ("registry-status", On.Publisher, ["registry", "status"], PassKeys),
        ("registry-list", On.Publisher, ["registry", "list"], []),
        ("registry-sync", On.Publisher, ["registry", "sync", "--wait"], PassKeys),
        ("registry-push", On.Publisher, ["registry", "push", "game"], PassKeys),
        ("registry-pull", On.Client, ["registry", "pull", "game"], PassKeys),
    ];

    [Fact]
    public async Task Every_format_a_help_offers_works()
    {
        await using var rig = await SyncRig.StartAsync(output);
        var daemons = await SeedAsync(rig);
        var withFormat = FormatOptions(AmcCommand.Create(CliConsole.System)).ToList();
        Assert.Equal(Commands.Keys.Order(StringComparer.Ordinal), withFormat.Select(c => c.Path).Order(StringComparer.Ordinal));

        foreach (var (path, option) in withFormat)
        {
            var values = OutputFormatOption.Values(option);
            var help = await RunAsync(null, [.. path.Split(' '), "--help"]);
            var line = Assert.Single(help.Out.Split('\n'), l => l.TrimStart().StartsWith("--format", StringComparison.Ordinal));
            Assert.StartsWith($"--format <{string.Join('|', values)}>", line.Trim(), StringComparison.Ordinal);
            Assert.DoesNotMatch("Table|Csv|Json|Yaml", line);
            var (on, args, exit) = Commands[path];
            foreach (var value in values)
            {
                var scratch = Path.Combine(Path.GetDirectoryName(daemons[on])!, "scratch");
                var result = await RunAsync(daemons[on], [.. path.Split(' '), .. args.Select(a => a.Replace("{scratch}", scratch, StringComparison.Ordinal)), "--format", value]);
                Assert.True(result.ExitCode == exit, $"amc {path} --format {value} exited {result.ExitCode}: {result.Error}");
                CliGrammar.AssertIs(value, result.Out, $"amc {path} --format {value}");
            }
        }
    }

    [Fact]
    public async Task Json_and_yaml_of_every_list_and_show_command_match_their_golden_files_and_each_other()
    {
        await using var rig = await SyncRig.StartAsync(output);
        var daemons = await SeedAsync(rig);
        var problems = new List<string>();
        foreach (var (name, on, args, volatileKeys) in Fixtures)
        {
            var json = await RunAsync(daemons[on], [.. args, "--format", "json"]);
            var yaml = await RunAsync(daemons[on], [.. args, "--format", "yaml"]);
            Assert.True((json.ExitCode, yaml.ExitCode) == (0, 0), $"{name}: {json.Error}{yaml.Error}");
            if (!args.Contains("registry", StringComparer.Ordinal) || args.Contains("list", StringComparer.Ordinal))
            {
                // A pass (and the status that reports it) differs from one run to the next; the rest prints the same data twice.
                CliGrammar.AssertSameTree(json.Out, yaml.Out, name);
            }

            problems.Add(CliGrammar.CompareGolden($"amc-{name}.json", json.Out, volatileKeys) ?? "");
            problems.Add(CliGrammar.CompareGolden($"amc-{name}.yaml", yaml.Out, volatileKeys) ?? "");
        }

        Assert.True(problems.All(p => p.Length == 0), string.Join("\n", problems.Where(p => p.Length > 0)));
    }

    /// <summary>
    /// A publisher AMS that pushed "game" and a client AMS that pulled it and rejected "bad" (not a valid package); the
    /// client's scratch directory holds bad.zip and a signed listing exported from the registry (listing.json).
    /// </summary>
    private static async Task<Dictionary<On, string>> SeedAsync(SyncRig rig)
    {
        var publisher = await rig.JoinAsync("publisher");
        var client = await rig.JoinAsync("client");
        await SyncRig.CreateAsync(publisher, "game");
        await SyncRig.SyncAsync(publisher);
        using var raw = await rig.RawPublisherAsync();
        var bad = TestPackage.Minimal("bad").File("app.apk", "not an apk").WriteZip(Path.Combine(client.Scratch, "bad.zip"));
        Assert.True((await raw.PublishFileAsync("bad", "amd64", 0, bad)).Succeeded);
        using (var admin = rig.Registry.Admin())
        {
            var listing = await admin.GetSignedApplicationsAsync();
            Assert.True(listing.Succeeded, listing.Problem?.Detail);
            await File.WriteAllTextAsync(Path.Combine(client.Scratch, "listing.json"), System.Text.Json.JsonSerializer.Serialize(listing.Value!, Aar.Protocol.ProtocolJsonContext.Default.SignedEnvelope));
        }

        using (var management = client.Client())
        {
            await management.SyncAsync(wait: true);
        }

        using (var management = publisher.Client())
        {
            await SyncRig.QuiesceAsync(management, "push");
        }

        using (var management = client.Client())
        {
            await SyncRig.QuiesceAsync(management, "pull");
        }

        return new() { [On.Publisher] = publisher.DataDirectory, [On.Client] = client.DataDirectory };
    }

    private static async Task<CliResult> RunAsync(string? dataDirectory, string[] args)
    {
        var (exit, stdout, stderr) = await ChildProcess.RunAsync("amc", null, dataDirectory is null ? args : ["--data-dir", dataDirectory, .. args]);
        return new CliResult(exit, stdout, stderr);
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
