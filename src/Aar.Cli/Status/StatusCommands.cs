using System.CommandLine;
using System.Globalization;
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
            if (parse.GetValue(format) == OutputFormat.Json)
            {
                DataWriter.WriteJson(console, s, ProtocolJsonContext.Default.RegistryStatus);
                return ExitCodes.Ok;
            }

            var fields = new Dictionary<string, object>
            {
                ["server_version"] = s.ServerVersion,
                ["generation"] = s.Generation,
                ["applications"] = s.Applications,
                ["versions"] = s.Versions,
                ["blobs"] = s.Blobs,
                ["blob_bytes"] = s.BlobBytes,
                ["uploads_in_flight"] = s.UploadsInFlight,
                ["upload_bytes"] = s.UploadBytes,
                ["trusted_publishers"] = s.TrustedPublishers,
                ["trusted_clients"] = s.TrustedClients,
                ["revoked_certificates"] = s.RevokedCertificates,
            };
            if (parse.GetValue(format) == OutputFormat.Yaml)
            {
                DataWriter.WriteYaml(console, fields);
            }
            else
            {
                DataWriter.WriteTable(console, ["KEY", "VALUE"], fields.Select(f => (IReadOnlyList<string>)[f.Key, Convert.ToString(f.Value, CultureInfo.InvariantCulture)!]));
            }

            return ExitCodes.Ok;
        });
        return command;
    }

    public static Command Storage(Option<string> dataDirectory, CliConsole console)
    {
        var scrub = new Command("scrub", "Re-hash every stored blob, move damaged ones to quarantine (their publisher re-sends them) and report damaged or missing ones (exit code 5 if any)");
        scrub.SetAction(async (parse, cancellationToken) =>
        {
            using var client = AdminClient.ForDataDirectory(parse.GetValue(dataDirectory)!);
            var result = await client.ScrubAsync(cancellationToken);
            if (!result.Succeeded)
            {
                return ProblemReporter.Report(console, result);
            }

            var report = result.Value!;
            await console.Out.WriteLineAsync($"Checked {report.Checked} blobs ({report.Bytes} bytes): {report.Corrupt.Count} damaged, {report.Missing.Count} missing.");
            foreach (var digest in report.Corrupt)
            {
                await console.Out.WriteLineAsync($"damaged: {digest}");
            }

            foreach (var digest in report.Missing)
            {
                await console.Out.WriteLineAsync($"missing: {digest}");
            }

            return report.Corrupt.Count + report.Missing.Count == 0 ? ExitCodes.Ok : ExitCodes.Conflict;
        });
        return new Command("storage", "Check the blob store") { scrub };
    }
}
