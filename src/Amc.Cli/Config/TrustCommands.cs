using System.CommandLine;
using Aar.Cli.Common;
using Aar.Protocol.Certificates;
using Aar.Protocol.Management;

namespace Amc.Cli.Config;

/// <summary><c>amc config trust add|list|remove</c>: the certificates this AMS trusts when it talks to a registry.</summary>
internal static class TrustCommands
{
    public static Command Create(Option<string> dataDirectory, CliConsole console)
    {
        var trust = new Command("trust", "Manage the certificates this AMS trusts (the registry's server certificate)");
        trust.Subcommands.Add(Add(dataDirectory, console));
        trust.Subcommands.Add(List(dataDirectory, console));
        trust.Subcommands.Add(Remove(dataDirectory, console));
        return trust;
    }

    private static Command Add(Option<string> dataDirectory, CliConsole console)
    {
        var file = new Argument<string>("certificate") { Description = "PEM certificate file, or '-' to read standard input" };
        var command = new Command("add", "Add a certificate to the trust list") { file };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var (pem, error) = await ReadAsync(parse.GetValue(file)!, console, cancellationToken);
            if (pem is null)
            {
                return ProblemReporter.Fail(console, error!, ExitCodes.InvalidInput);
            }

            using var client = ManagementClient.ForDataDirectory(parse.GetValue(dataDirectory)!);
            var result = await client.AddTrustAsync(pem, cancellationToken);
            if (!result.Succeeded)
            {
                return ProblemReporter.Report(console, result);
            }

            var added = result.Value!;
            await console.Out.WriteLineAsync(added.AlreadyTrusted
                ? $"Certificate {added.Fingerprint} ({added.CommonName}) is already in the trust list; nothing changed."
                : $"Certificate {added.Fingerprint} ({added.CommonName}) added to the trust list.");
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command List(Option<string> dataDirectory, CliConsole console)
    {
        var format = OutputFormatOption.Create(OutputFormat.Table, OutputFormat.Csv, OutputFormat.Json, OutputFormat.Yaml);
        var command = new Command("list", "List the trusted certificates") { format };
        command.Aliases.Add("ls");
        command.SetAction(async (parse, cancellationToken) =>
        {
            using var client = ManagementClient.ForDataDirectory(parse.GetValue(dataDirectory)!);
            var result = await client.ListTrustAsync(cancellationToken);
            if (!result.Succeeded)
            {
                return ProblemReporter.Report(console, result);
            }

            var entries = result.Value!;
            var chosen = parse.GetValue(format).Format;
            if (chosen is OutputFormat.Json or OutputFormat.Yaml)
            {
                DataWriter.Write(console, chosen, entries, ManagementJsonContext.Default.ListTrustedCertificate);
                return ExitCodes.Ok;
            }

            string[] headers = ["FINGERPRINT", "COMMON NAME", "ISSUE DATE", "EXPIRY DATE"];
            var rows = entries.Select(e => (IReadOnlyList<string>)[CellText.Fingerprint(e.Fingerprint, chosen), e.CommonName, CellText.Time(e.IssueDate), CellText.Time(e.ExpiryDate)]);
            if (chosen == OutputFormat.Csv)
            {
                DataWriter.WriteCsv(console, headers, rows);
            }
            else
            {
                DataWriter.WriteTable(console, headers, rows);
            }

            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command Remove(Option<string> dataDirectory, CliConsole console)
    {
        var which = new Argument<string>("fingerprint-or-name") { Description = $"Fingerprint (or a unique prefix of at least {Fingerprint.MinimumPrefixLength} characters) or common name, as 'amc config trust list' shows" };
        var command = new Command("remove", "Remove a certificate from the trust list") { which };
        command.Aliases.Add("rm");
        command.SetAction(async (parse, cancellationToken) =>
        {
            using var client = ManagementClient.ForDataDirectory(parse.GetValue(dataDirectory)!);
            var result = await client.RemoveTrustAsync(parse.GetValue(which)!, cancellationToken);
            if (!result.Succeeded)
            {
                return ProblemReporter.Report(console, result);
            }

            await console.Out.WriteLineAsync($"Certificate {result.Value!.Fingerprint} ({result.Value.CommonName}) removed from the trust list.");
            return ExitCodes.Ok;
        });
        return command;
    }

    private static async Task<(string? Pem, string? Error)> ReadAsync(string path, CliConsole console, CancellationToken cancellationToken)
    {
        var limit = PemCertificateReader.MaximumLength;
        try
        {
            if (path == "-")
            {
                if (!console.InputRedirected)
                {
                    return (null, "'-' reads the certificate from standard input, but nothing is piped in; give a file, or pipe one in (cat server.crt | amc config trust add -).");
                }

                return (await ReadBoundedAsync(console.In, limit, cancellationToken), null);
            }

            if (new FileInfo(path).Length > limit)
            {
                return (null, $"{path} is larger than {limit} bytes, too large for a certificate; is it the right file?");
            }

            using var reader = new StreamReader(path);
            return (await ReadBoundedAsync(reader, limit, cancellationToken), null);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return (null, $"Cannot read {path} ({ex.Message.TrimEnd('.')}); check the path and its permissions.");
        }
    }

    private static async Task<string> ReadBoundedAsync(TextReader reader, int limit, CancellationToken cancellationToken)
    {
        var buffer = new char[limit + 1];
        var total = 0;
        int read;
        while (total < buffer.Length && (read = await reader.ReadAsync(buffer.AsMemory(total), cancellationToken)) > 0)
        {
            total += read;
        }

        return new string(buffer, 0, total);
    }
}
