using System.CommandLine;
using Aar.Cli.Common;
using Aar.Protocol.Admin;
using Aar.Protocol.Certificates;

namespace Aar.Cli.Trust;

/// <summary><c>aar trust add|list|remove|revoke</c>, with the seed's descriptions, and <c>aar trust token …</c>.</summary>
internal static class TrustCommands
{
    public static Command Create(Option<string> dataDirectory, CliConsole console)
    {
        var trust = new Command("trust", "Manage trusted clients");
        trust.Subcommands.Add(Add(dataDirectory, console));
        trust.Subcommands.Add(List(dataDirectory, console));
        trust.Subcommands.Add(Remove(dataDirectory, console));
        trust.Subcommands.Add(Revoke(dataDirectory, console));
        trust.Subcommands.Add(TokenCommands.Create(dataDirectory, console));
        trust.Subcommands.Add(BrowserCertificateCommands.Create(dataDirectory, console));
        return trust;
    }

    private static Command Add(Option<string> dataDirectory, CliConsole console)
    {
        var file = new Argument<string?>("file") { Description = "PEM certificate file; omit (or '-') to read standard input", Arity = ArgumentArity.ZeroOrOne };
        var publisher = new Option<bool>("--publisher", "-p") { Description = "Register client as publisher (read-write); otherwise the read-only client role" };
        var role = RoleOption("client");
        var name = new Option<string?>("--name") { Description = "Name to show for this certificate (default: its common name)" };
        var quiet = new Option<bool>("--quiet", "-q") { Description = "Print nothing on success" };
        var command = new Command("add", "Register a client certificate") { file, publisher, role, name, quiet };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var roleName = parse.GetValue(role)!;
            if (parse.GetValue(publisher) && parse.GetResult(role) is { Implicit: false } && roleName != "publisher")
            {
                return ProblemReporter.Fail(console, $"--publisher and --role {roleName} contradict each other; give one of them.", ExitCodes.Usage);
            }

            var (pem, error) = await CertificateInput.ReadAsync(parse.GetValue(file), console, cancellationToken);
            if (pem is null)
            {
                return ProblemReporter.Fail(console, error!, error!.StartsWith("No certificate given", StringComparison.Ordinal) ? ExitCodes.Usage : ExitCodes.InvalidInput);
            }

            using var client = AdminClient.ForDataDirectory(parse.GetValue(dataDirectory)!);
            var request = new AddTrustRequest { Certificate = pem, Role = parse.GetValue(publisher) ? "publisher" : roleName, Name = parse.GetValue(name) };
            var result = await client.AddAsync(request, cancellationToken);
            if (!result.Succeeded)
            {
                return ProblemReporter.Report(console, result);
            }

            foreach (var warning in result.Value!.Warnings)
            {
                await console.Error.WriteLineAsync($"Warning: {warning}");
            }

            if (!parse.GetValue(quiet))
            {
                await console.Out.WriteLineAsync(result.Value.Message);
            }

            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command List(Option<string> dataDirectory, CliConsole console)
    {
        var format = OutputFormatOption.Create(OutputFormat.Table, OutputFormat.Csv, OutputFormat.Json, OutputFormat.Yaml);
        var revoked = new Option<bool>("--revoked") { Description = "List revoked certificates instead" };
        var command = new Command("list", "List currently trusted clients") { format, revoked };
        command.Aliases.Add("ls");
        command.SetAction(async (parse, cancellationToken) =>
        {
            using var client = AdminClient.ForDataDirectory(parse.GetValue(dataDirectory)!);
            if (parse.GetValue(revoked))
            {
                var list = await client.ListRevokedAsync(cancellationToken);
                if (!list.Succeeded)
                {
                    return ProblemReporter.Report(console, list);
                }

                TrustListOutput.WriteRevoked(console, parse.GetValue(format).Format, list.Value!);
                return ExitCodes.Ok;
            }

            var trusted = await client.ListTrustedAsync(cancellationToken);
            if (!trusted.Succeeded)
            {
                return ProblemReporter.Report(console, trusted);
            }

            TrustListOutput.WriteTrusted(console, parse.GetValue(format).Format, trusted.Value!);
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command Remove(Option<string> dataDirectory, CliConsole console)
    {
        var fingerprint = FingerprintArgument();
        var command = new Command("remove", "Remove a trusted certificate") { fingerprint };
        command.Aliases.Add("rm");
        command.SetAction(async (parse, cancellationToken) =>
        {
            using var client = AdminClient.ForDataDirectory(parse.GetValue(dataDirectory)!);
            var result = await client.RemoveAsync(parse.GetValue(fingerprint)!, cancellationToken);
            if (!result.Succeeded)
            {
                return ProblemReporter.Report(console, result);
            }

            await console.Out.WriteLineAsync(result.Value!.Message);
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command Revoke(Option<string> dataDirectory, CliConsole console)
    {
        var fingerprint = FingerprintArgument();
        var yes = new Option<bool>("--yes", "-y") { Description = "Do not ask for confirmation" };
        var command = new Command("revoke", "Revoke a certificate") { fingerprint, yes };
        command.Description += " (irreversible: it is refused from now on and can never be added again)";
        command.SetAction(async (parse, cancellationToken) =>
        {
            var prefix = parse.GetValue(fingerprint)!;
            using var client = AdminClient.ForDataDirectory(parse.GetValue(dataDirectory)!);
            if (!parse.GetValue(yes))
            {
                var confirmed = await ConfirmAsync(client, prefix, console, cancellationToken);
                if (confirmed is not null)
                {
                    return confirmed.Value;
                }
            }

            var result = await client.RevokeAsync(prefix, cancellationToken);
            if (!result.Succeeded)
            {
                return ProblemReporter.Report(console, result);
            }

            await console.Out.WriteLineAsync(result.Value!.Message);
            return ExitCodes.Ok;
        });
        return command;
    }

    /// <summary>Asks on stderr, reads the answer from stdin; returns an exit code to stop with, or null to go on.</summary>
    private static async Task<int?> ConfirmAsync(AdminClient client, string prefix, CliConsole console, CancellationToken cancellationToken)
    {
        var trusted = await client.ListTrustedAsync(cancellationToken);
        if (!trusted.Succeeded)
        {
            return ProblemReporter.Report(console, trusted);
        }

        var normalized = Fingerprint.Normalize(prefix) ?? prefix;
        var match = trusted.Value!.Where(e => e.Fingerprint.StartsWith(normalized, StringComparison.Ordinal)).ToList();
        var what = match.Count == 1 ? $"certificate {match[0].Fingerprint} ('{match[0].Name}', {match[0].Role})" : $"certificate {prefix}";
        return await Confirmation.AskAsync(console, $"Revoke {what}? This cannot be undone: it will be refused from now on and can never be added again. [y/N] ", "revoke", "revoked", enterMeansYes: false, cancellationToken);
    }

    /// <summary>
    /// <c>--role</c>: client and publisher are for AMS machines, viewer and operator for people's browsers (the
    /// dashboard); the registry checks the name too.
    /// </summary>
    internal static Option<string> RoleOption(string defaultRole, params string[] roles)
    {
        var option = new Option<string>("--role")
        {
            Description = "client (read-only AMS), publisher (read-write AMS), viewer (dashboard) or operator (dashboard, may change trust)",
            DefaultValueFactory = _ => defaultRole,
        };
        option.AcceptOnlyFromAmong(roles.Length > 0 ? roles : ["client", "publisher", "viewer", "operator"]);
        return option;
    }

    private static Argument<string> FingerprintArgument() => new("fingerprint")
    {
        Description = $"Certificate fingerprint, or a unique prefix of at least {Fingerprint.MinimumPrefixLength} characters (see 'aar trust list')",
    };
}
