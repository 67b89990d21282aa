using System.CommandLine;
using System.Text.Json;
using Aar.Cli.Common;
using Aar.Protocol;
using Aar.Protocol.Admin;
using Aar.Protocol.Registry;
using Aar.Protocol.Signing;

namespace Aar.Cli.Signing;

/// <summary><c>aar signing-key show|rotate</c>: the key the registry signs listings with, and replacing it.</summary>
internal static class SigningKeyCommands
{
    public static Command Create(Option<string> dataDirectory, CliConsole console) =>
        new("signing-key", "Show or rotate the key the registry signs its listings with (separate from its TLS key)")
        {
            Show(dataDirectory, console),
            Rotate(dataDirectory, console),
        };

    private static Command Show(Option<string> dataDirectory, CliConsole console)
    {
        var format = OutputFormatOption.Create(OutputFormat.Table, OutputFormat.Json, OutputFormat.Yaml);
        var command = new Command("show", "Show the signing key's id and public key (what an AMS pins) and its rotations") { format };
        command.SetAction(async (parse, cancellationToken) =>
        {
            using var client = AdminClient.ForDataDirectory(parse.GetValue(dataDirectory)!);
            var result = await client.GetSigningKeyAsync(cancellationToken);
            if (!result.Succeeded)
            {
                return ProblemReporter.Report(console, result);
            }

            Write(console, parse.GetValue(format).Format, result.Value!);
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command Rotate(Option<string> dataDirectory, CliConsole console)
    {
        var yes = new Option<bool>("--yes", "-y") { Description = "Do not ask for confirmation" };
        var format = OutputFormatOption.CreateOptional("a summary", OutputFormat.Json, OutputFormat.Yaml);
        var command = new Command("rotate", "Replace the signing key with a new one, signed by the old key and the new; clients follow without a re-join, and the old private key is destroyed") { yes, format };
        command.SetAction(async (parse, cancellationToken) =>
        {
            if (!parse.GetValue(yes)
                && await Confirmation.AskAsync(console, "Rotate the signing key? AMS clients follow the rotation by themselves; the current private key is destroyed, and other nodes of a scale-out registry stop signing until they get the new key file. [y/N] ", "rotate", "rotated", enterMeansYes: false, cancellationToken) is { } stop)
            {
                return stop;
            }

            using var client = AdminClient.ForDataDirectory(parse.GetValue(dataDirectory)!);
            var result = await client.RotateSigningKeyAsync(cancellationToken);
            if (!result.Succeeded)
            {
                return ProblemReporter.Report(console, result);
            }

            var info = result.Value!;
            if (parse.GetValue(format) is { } machine)
            {
                DataWriter.Write(console, machine, info, ProtocolJsonContext.Default.SigningKeyInfo);
                return ExitCodes.Ok;
            }

            var rotation = Peek(info.Rotations[^1]);
            await console.Out.WriteLineAsync($"Signing key rotated (rotation {rotation?.Sequence}): {rotation?.PreviousKeyId} -> {info.KeyId}.");
            await console.Out.WriteLineAsync($"New public key: {info.PublicKey}");
            await console.Out.WriteLineAsync("The previous private key is destroyed: its file was replaced by the new key. AMS clients follow the rotation at their next poll.");
            await console.Out.WriteLineAsync("Scale-out: copy the new key file (--signing-key, by default <data>/certs/signing.key) to every other node, mode 0600.");
            return ExitCodes.Ok;
        });
        return command;
    }

    private static void Write(CliConsole console, OutputFormat format, SigningKeyInfo info)
    {
        if (format is OutputFormat.Json or OutputFormat.Yaml)
        {
            DataWriter.Write(console, format, info, ProtocolJsonContext.Default.SigningKeyInfo);
            return;
        }

        DataWriter.WriteTable(console, ["KEY", "VALUE"],
        [
            ["key_id", info.KeyId],
            ["public_key", info.PublicKey],
            ["rotations", CellText.Number(info.Rotations.Count)],
        ]);
        if (info.Rotations.Count > 0)
        {
            DataWriter.WriteTable(console, ["SEQUENCE", "FROM", "TO", "ROTATED_AT"],
                info.Rotations.Select(Peek).Select(r => (IReadOnlyList<string>)(r is null
                    ? ["?", "(unreadable)", "", ""]
                    : [CellText.Number(r.Sequence), r.PreviousKeyId, r.NewKeyId, CellText.Time(r.RotatedAt)])));
        }
    }

    /// <summary>A rotation's payload, unverified: shown to the operator of this registry, which wrote it.</summary>
    private static KeyRotation? Peek(SignedEnvelope envelope)
    {
        try
        {
            return JsonSerializer.Deserialize(Convert.FromBase64String(envelope.Payload), RegistryReadJsonContext.Default.KeyRotation);
        }
        catch (Exception ex) when (ex is FormatException or JsonException)
        {
            return null;
        }
    }
}
