using System.CommandLine;
using System.Security.Cryptography;
using System.Text.Json;
using Aar.Cli.Common;
using Aar.Protocol.Management;
using Aar.Protocol.Registry;
using Aar.Protocol.Signing;

namespace Amc.Cli.Registry;

/// <summary>
/// <c>amc registry verify PACKAGE --listing FILE</c>: checks, offline, that a package copied by hand is one the registry
/// listed, with a listing saved from the registry (<c>aar index export</c>) whose signature verifies with the pinned
/// signing key. Needs no network; the key comes from <c>--signing-key</c> or, when this host runs an AMS, from its
/// configuration.
/// </summary>
internal static class VerifyCommand
{
    /// <summary>A signed listing is base64 inside JSON: a third larger than its payload.</summary>
    private const long MaxListingFileBytes = SignedEnvelope.MaxPayloadBytes / 3 * 4 + (64 * 1024);

    public static Command Create(Option<string> dataDirectory, CliConsole console)
    {
        var package = new Argument<FileInfo>("package") { Description = "The package file (.zip or .tar.gz) to check" };
        var listing = new Option<FileInfo>("--listing") { Description = "A signed listing saved on the registry host with 'aar index export'", Required = true };
        var key = new Option<string?>("--signing-key") { Description = "The registry's public signing key (base64, as 'aar status' prints it); default: this AMS's registry.signing_key" };
        var format = OutputFormatOption.Create(OutputFormat.Yaml, OutputFormat.Json);
        var command = new Command("verify", "Check offline that a package is one a saved, signed registry listing names (for packages copied by hand to air-gapped sites)") { package, listing, key, format };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var signingKey = await SigningKeyAsync(parse.GetValue(key), parse.GetValue(dataDirectory)!, console, cancellationToken);
            if (signingKey.Key is null)
            {
                return signingKey.ExitCode;
            }

            var envelope = await ReadEnvelopeAsync(parse.GetValue(listing)!, cancellationToken);
            if (envelope.Error is { } unreadable)
            {
                return ProblemReporter.Fail(console, unreadable, ExitCodes.InvalidInput);
            }

            if (!envelope.Value!.TryOpen(SignedApplications.PayloadType, signingKey.Key, RegistryReadJsonContext.Default.SignedApplications, out var signed, out var refusal))
            {
                return ProblemReporter.Fail(console, $"The listing {parse.GetValue(listing)!.FullName} does not verify with signing key {signingKey.Key.KeyId[..16]}: {refusal} Do not install packages on its strength.", ExitCodes.InvalidInput);
            }

            var file = parse.GetValue(package)!;
            if (!file.Exists)
            {
                return ProblemReporter.Fail(console, $"The package {file.FullName} does not exist.", ExitCodes.NotFound);
            }

            var (digest, size) = await HashAsync(file, cancellationToken);
            var matches = signed.Applications.Where(a => a is not null)
                .SelectMany(a => (a.Versions ?? []).Where(v => v is not null && v.Digest == digest && v.Size == size).Select(v => new VerifiedVersion { Name = a.Name, Architecture = a.Architecture, Version = v.Version }))
                .ToList();
            var result = new PackageVerification
            {
                Package = file.FullName,
                Digest = digest,
                Size = size,
                SigningKey = signingKey.Key.KeyId,
                Generation = signed.Generation,
                SignedAt = signed.IssuedAt,
                ExpiresAt = signed.ExpiresAt,
                Expired = signed.ExpiresAt <= DateTimeOffset.UtcNow,
                Versions = matches,
            };
            if (matches.Count == 0)
            {
                return ProblemReporter.Fail(console, $"The package {file.FullName} ({digest}, {size} bytes) is not in the signed listing (generation {signed.Generation}, signed {CellText.Time(signed.IssuedAt)}): it is not a package the registry published, or the listing is older than it.", ExitCodes.NotFound);
            }

            DataWriter.Write(console, parse.GetValue(format).Format, result, ManagementJsonContext.Default.PackageVerification);
            if (result.Expired)
            {
                // Expiry bounds how long a listing can stand in for the registry's current word; for a copy made by hand
                // it only means the check is about then, not now.
                await console.Error.WriteLineAsync($"Note: the listing expired at {CellText.Time(signed.ExpiresAt)}; it proves the registry listed this package at generation {signed.Generation}, not that it still does.");
            }

            return ExitCodes.Ok;
        });
        return command;
    }

    private static async Task<(SigningPublicKey? Key, int ExitCode)> SigningKeyAsync(string? given, string dataDirectory, CliConsole console, CancellationToken cancellationToken)
    {
        if (given is not null)
        {
            return SigningPublicKey.TryParse(given.Trim(), out var key, out var error)
                ? (key, ExitCodes.Ok)
                : (null, ProblemReporter.Fail(console, $"--signing-key is not valid ({error}): give the base64 public key 'aar status' prints as signing_public_key.", ExitCodes.Usage));
        }

        using var client = ManagementClient.ForDataDirectory(dataDirectory);
        var status = await client.GetRegistryStatusAsync(cancellationToken);
        if (!status.Succeeded)
        {
            return (null, ProblemReporter.Fail(console, $"No --signing-key was given and this host's AMS could not be asked for its pinned key ({status.Problem!.Detail}); give the registry's public key with --signing-key.", ExitCodes.Unreachable));
        }

        return status.Value!.SigningKey is { } pinned && SigningPublicKey.TryParse(pinned.PublicKey, out var pinnedKey, out _)
            ? (pinnedKey, ExitCodes.Ok)
            : (null, ProblemReporter.Fail(console, "This AMS has no registry.signing_key pinned yet; give the registry's public key with --signing-key (from 'aar status' on the registry host).", ExitCodes.Usage));
    }

    private static async Task<(SignedEnvelope? Value, string? Error)> ReadEnvelopeAsync(FileInfo file, CancellationToken cancellationToken)
    {
        if (!file.Exists)
        {
            return (null, $"The listing {file.FullName} does not exist.");
        }

        if (file.Length > MaxListingFileBytes)
        {
            return (null, $"The listing {file.FullName} is {file.Length} bytes, more than a signed listing can be ({MaxListingFileBytes}).");
        }

        try
        {
            await using var stream = file.OpenRead();
            return await JsonSerializer.DeserializeAsync(stream, RegistryReadJsonContext.Default.SignedEnvelope, cancellationToken) is { } envelope
                ? (envelope, null)
                : (null, $"The listing {file.FullName} is empty JSON (null).");
        }
        catch (JsonException ex)
        {
            return (null, $"The listing {file.FullName} is not a signed listing ({ex.Message}); save one with 'aar index export > listing.json' on the registry host.");
        }
    }

    private static async Task<(string Digest, long Size)> HashAsync(FileInfo file, CancellationToken cancellationToken)
    {
        await using var stream = new FileStream(file.FullName, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 20, FileOptions.SequentialScan);
        var hash = await SHA256.HashDataAsync(stream, cancellationToken);
        return (BlobDigest.FromHash(hash).ToString(), stream.Length);
    }
}
