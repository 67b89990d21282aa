using System.CommandLine;
using Aar.Cli.Common;
using Aar.Protocol.Admin;
using Aar.Protocol.Enrolment;
using Aar.Protocol.Text;
using Aar.Protocol;

namespace Aar.Cli.Trust;

/// <summary>
/// <c>aar trust token create|list|delete</c>: one-step enrolment of an AMS (<c>amc registry join &lt;token&gt;</c>),
/// the equivalent of the original's <c>juju add-relation aar:client ams:registry-client</c>.
/// </summary>
internal static class TokenCommands
{
    public static Command Create(Option<string> dataDirectory, CliConsole console)
    {
        var token = new Command("token", "Manage one-time join tokens that enrol an AMS in one step (amc registry join)");
        token.Subcommands.Add(CreateToken(dataDirectory, console));
        token.Subcommands.Add(ListTokens(dataDirectory, console));
        token.Subcommands.Add(DeleteToken(dataDirectory, console));
        return token;
    }

    private static Command CreateToken(Option<string> dataDirectory, CliConsole console)
    {
        var publisher = new Option<bool>("--publisher", "-p") { Description = "The AMS that joins becomes a publisher (read-write, push mode); otherwise a client (read-only, pull mode)" };
        var expires = new Option<string>("--expires") { Description = "How long the token stays valid: 15m, 1h, 2d (default 1h, at most 30d)", DefaultValueFactory = _ => "1h" };
        var name = new Option<string?>("--name") { Description = "Name for the AMS certificate once it joins (default: its common name)" };
        var address = new Option<string[]>("--address") { Description = "Registry address for the AMS to use, host:port (repeatable; default: the addresses the server listens on)" };
        var format = OutputFormatOption.CreateOptional("the token alone on stdout", OutputFormat.Json, OutputFormat.Yaml);
        var command = new Command("create", "Create a single-use join token") { publisher, expires, name, address, format };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var expiresText = parse.GetValue(expires)!;
            if (!DurationText.TryParse(expiresText, out var lifetime))
            {
                return ProblemReporter.Fail(console, $"--expires '{expiresText}' is not a duration: use forms like 15m, 1h, 1h30m or 2d.", ExitCodes.Usage);
            }

            using var client = AdminClient.ForDataDirectory(parse.GetValue(dataDirectory)!);
            var request = new CreateTokenRequest
            {
                Role = parse.GetValue(publisher) ? "publisher" : "client",
                ExpiresInSeconds = (long)lifetime.TotalSeconds,
                Name = parse.GetValue(name),
                Addresses = parse.GetValue(address) ?? [],
            };
            var result = await client.CreateTokenAsync(request, cancellationToken);
            if (!result.Succeeded)
            {
                return ProblemReporter.Report(console, result);
            }

            var created = result.Value!;
            if (parse.GetValue(format) is { } machine)
            {
                DataWriter.Write(console, machine, created, ProtocolJsonContext.Default.CreatedToken);
                return ExitCodes.Ok;
            }

            await console.Out.WriteLineAsync(created.Token);
            await console.Error.WriteLineAsync(
                $"Token {created.Entry.Id} enrols one AMS as {created.Entry.Role} until {CellText.Time(created.Entry.ExpiresAt)} (addresses: {string.Join(", ", created.Addresses)}).");
            if (JoinToken.TryDecode(created.Token, out var decoded, out _) && decoded!.SigningKey is { } signingKey
                && Aar.Protocol.Signing.SigningPublicKey.TryParse(signingKey, out var key, out _))
            {
                await console.Error.WriteLineAsync($"The AMS pins server fingerprint {decoded.Fingerprint} and signing key {key.KeyId}.");
            }

            await console.Error.WriteLineAsync("On the AMS host run: amc registry join <token>");
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command ListTokens(Option<string> dataDirectory, CliConsole console)
    {
        var format = OutputFormatOption.Create(OutputFormat.Table, OutputFormat.Csv, OutputFormat.Json, OutputFormat.Yaml);
        var command = new Command("list", "List join tokens that have not been used (never their secrets)") { format };
        command.Aliases.Add("ls");
        command.SetAction(async (parse, cancellationToken) =>
        {
            using var client = AdminClient.ForDataDirectory(parse.GetValue(dataDirectory)!);
            var result = await client.ListTokensAsync(cancellationToken);
            if (!result.Succeeded)
            {
                return ProblemReporter.Report(console, result);
            }

            var now = DateTimeOffset.UtcNow;
            var tokens = result.Value!;
            string[] headers = ["ID", "ROLE", "NAME", "CREATED", "EXPIRES", "STATUS"];
            IReadOnlyList<string> Row(TokenEntry t) => [t.Id, t.Role, t.Name, CellText.Time(t.CreatedAt), CellText.Time(t.ExpiresAt), t.ExpiresAt < now ? "expired" : "valid"];
            switch (parse.GetValue(format).Format)
            {
                case OutputFormat.Json or OutputFormat.Yaml:
                    DataWriter.Write(console, parse.GetValue(format).Format, tokens.ToList(), ProtocolJsonContext.Default.ListTokenEntry);
                    break;
                case OutputFormat.Csv:
                    DataWriter.WriteCsv(console, headers, tokens.Select(Row));
                    break;
                default:
                    DataWriter.WriteTable(console, headers, tokens.Select(Row));
                    break;
            }

            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command DeleteToken(Option<string> dataDirectory, CliConsole console)
    {
        var id = new Argument<string>("id") { Description = "Token id, as 'aar trust token list' shows it" };
        var command = new Command("delete", "Delete a join token so it can no longer be used") { id };
        command.Aliases.Add("rm");
        command.SetAction(async (parse, cancellationToken) =>
        {
            using var client = AdminClient.ForDataDirectory(parse.GetValue(dataDirectory)!);
            var result = await client.DeleteTokenAsync(parse.GetValue(id)!, cancellationToken);
            if (!result.Succeeded)
            {
                return ProblemReporter.Report(console, result);
            }

            await console.Out.WriteLineAsync($"Deleted join token {parse.GetValue(id)}.");
            return ExitCodes.Ok;
        });
        return command;
    }
}
