using System.CommandLine;
using System.Text.Json;
using Aar.Cli.Common;
using Aar.Protocol;
using Aar.Protocol.Admin;
using Aar.Protocol.Registry;
using Aar.Protocol.Signing;

namespace Aar.Cli.Signing;

/// <summary><c>aar index export</c>: a signed listing written to stdout, for sites that copy packages by hand.</summary>
internal static class IndexCommands
{
    public static Command Create(Option<string> dataDirectory, CliConsole console)
    {
        var architecture = new Option<string?>("--architecture") { Description = "Only this architecture (as the listing's architecture filter)" };
        var tags = new Option<string[]>("--tags") { Description = "Only applications with a version carrying one of these tags (comma-separated or repeated)", AllowMultipleArgumentsPerToken = false };
        var export = new Command("export", "Write a signed applications listing (a DSSE envelope, JSON) to stdout, to verify packages offline against it") { architecture, tags };
        export.SetAction(async (parse, cancellationToken) =>
        {
            using var client = AdminClient.ForDataDirectory(parse.GetValue(dataDirectory)!);
            var wanted = (parse.GetValue(tags) ?? []).SelectMany(t => t.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)).ToList();
            var key = await client.GetSigningKeyAsync(cancellationToken);
            if (!key.Succeeded)
            {
                return ProblemReporter.Report(console, key);
            }

            var result = await client.GetSignedApplicationsAsync(parse.GetValue(architecture), wanted, cancellationToken);
            if (!result.Succeeded)
            {
                return ProblemReporter.Report(console, result);
            }

            // Checked before it leaves: an export that would not verify is an error here, not at the offline site.
            if (!SigningPublicKey.TryParse(key.Value!.PublicKey, out var publicKey, out var error)
                || !result.Value!.TryOpen(SignedApplications.PayloadType, publicKey, RegistryReadJsonContext.Default.SignedApplications, out var listing, out error))
            {
                return ProblemReporter.Fail(console, $"the registry's signed listing does not verify with its own key: {error}", ExitCodes.Internal);
            }

            await console.Out.WriteLineAsync(JsonSerializer.Serialize(result.Value, ProtocolJsonContext.Default.SignedEnvelope));
            await console.Error.WriteLineAsync(
                $"Signed listing of {listing.Applications.Count} applications at generation {listing.Generation}, valid until {CellText.Time(listing.ExpiresAt)}, signed by key {publicKey.KeyId}.");
            return ExitCodes.Ok;
        });
        return new Command("index", "The signed index: export it for offline verification") { export };
    }
}
