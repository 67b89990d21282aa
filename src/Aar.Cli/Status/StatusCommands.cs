using System.CommandLine;
using Aar.Cli.Common;
using Aar.Protocol;
using Aar.Protocol.Admin;

namespace Aar.Cli.Status;

/// <summary><c>aar status</c> and <c>aar storage scrub</c>.</summary>
internal static class StatusCommands
{
    public static Command Status(Option<string> dataDirectory, CliConsole console)
    {
        var format = OutputFormatOption.Create(OutputFormat.Table, OutputFormat.Json, OutputFormat.Yaml);
        var command = new Command("status", "Show storage used, versions, trusted certificates and uploads in flight") { format };
        command.SetAction(async (parse, cancellationToken) =>
        {
            using var client = AdminClient.ForDataDirectory(parse.GetValue(dataDirectory)!);
            var result = await client.GetStatusAsync(cancellationToken);
            if (!result.Succeeded)
            {
                return ProblemReporter.Report(console, result);
            }

            var s = result.Value!;
            if (parse.GetValue(format).Format is var machine and (OutputFormat.Json or OutputFormat.Yaml))
            {
                DataWriter.Write(console, machine, s, ProtocolJsonContext.Default.RegistryStatus);
                return ExitCodes.Ok;
            }

            // The same keys as json/yaml; sizes in human units (the machine formats carry exact bytes).
            List<IReadOnlyList<string>> rows =
            [
                ["server_version", s.ServerVersion],
                ["generation", CellText.Number(s.Generation)],
                ["applications", CellText.Number(s.Applications)],
                ["versions", CellText.Number(s.Versions)],
                ["blobs", CellText.Number(s.Blobs)],
                ["blob_bytes", CellText.Size(s.BlobBytes)],
                ["uploads_in_flight", CellText.Number(s.UploadsInFlight)],
                ["upload_bytes", CellText.Size(s.UploadBytes)],
                ["trusted_publishers", CellText.Number(s.TrustedPublishers)],
                ["trusted_clients", CellText.Number(s.TrustedClients)],
                ["revoked_certificates", CellText.Number(s.RevokedCertificates)],
                ["signing_key_id", s.SigningKeyId ?? "-"],
                ["signing_public_key", s.SigningPublicKey ?? "-"],
                ["signing_key_rotations", CellText.Number(s.SigningKeyRotations)],
            ];
            if (s.SigningProblem is { } problem)
            {
                rows.Add(["signing_problem", problem]);
            }

            DataWriter.WriteTable(console, ["KEY", "VALUE"], rows);
            return ExitCodes.Ok;
        });
        return command;
    }

    public static Command Storage(Option<string> dataDirectory, CliConsole console)
    {
        var format = OutputFormatOption.CreateOptional("a summary, then one line per damaged or missing blob", OutputFormat.Json, OutputFormat.Yaml);
        var scrub = new Command("scrub", "Re-hash every stored blob, move damaged ones to quarantine (their publisher re-sends them) and report damaged or missing ones (exit code 5 if any)") { format };
        scrub.SetAction(async (parse, cancellationToken) =>
        {
            using var client = AdminClient.ForDataDirectory(parse.GetValue(dataDirectory)!);
            var result = await client.ScrubAsync(cancellationToken);
            if (!result.Succeeded)
            {
                return ProblemReporter.Report(console, result);
            }

            var report = result.Value!;
            var healthy = report.Corrupt.Count + report.Missing.Count == 0;
            if (parse.GetValue(format) is { } machine)
            {
                DataWriter.Write(console, machine, report, ProtocolJsonContext.Default.ScrubReport);
                return healthy ? ExitCodes.Ok : ExitCodes.Conflict;
            }

            await console.Out.WriteLineAsync($"Checked {report.Checked} blobs ({CellText.Size(report.Bytes)}): {report.Corrupt.Count} damaged, {report.Missing.Count} missing.");
            foreach (var digest in report.Corrupt)
            {
                await console.Out.WriteLineAsync($"damaged: {digest}");
            }

            foreach (var digest in report.Missing)
            {
                await console.Out.WriteLineAsync($"missing: {digest}");
            }

            return healthy ? ExitCodes.Ok : ExitCodes.Conflict;
        });
        return new Command("storage", "Check the blob store") { scrub };
    }
}
