using System.CommandLine;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Aar.Cli.Common;
using Aar.Protocol.Admin;
using Aar.Protocol.Certificates;

namespace Aar.Cli.Trust;

/// <summary>
/// <c>aar trust certificate create</c>: a key and client certificate for a person's browser (the dashboard), trusted
/// with the viewer or operator role and written as a PKCS#12 file under a one-time password, as LXD's UI does.
/// </summary>
internal static class BrowserCertificateCommands
{
    /// <summary>A year: a browser certificate belongs to a person, who renews it more readily than a machine.</summary>
    private static readonly TimeSpan Validity = TimeSpan.FromDays(365);

    public static Command Create(Option<string> dataDirectory, CliConsole console)
    {
        var certificate = new Command("certificate", "Client certificates for people's browsers (the dashboard)");
        certificate.Subcommands.Add(CreateCertificate(dataDirectory, console));
        return certificate;
    }

    private static Command CreateCertificate(Option<string> dataDirectory, CliConsole console)
    {
        var name = new Option<string>("--name") { Description = "Name of the person or browser (the certificate's common name)", Required = true };
        var role = TrustCommands.RoleOption("viewer", "viewer", "operator");
        role.Description = "viewer (sees the dashboard) or operator (may also create join tokens, remove and revoke)";
        var output = new Option<string>("--out", "-o") { Description = "The PKCS#12 file to write (mode 0600; an existing file is never overwritten)", Required = true };
        var command = new Command("create", "Create a key and client certificate for a browser, trust it and write it as a PKCS#12 file") { name, role, output };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var path = Path.GetFullPath(parse.GetValue(output)!);
            if (File.Exists(path))
            {
                return ProblemReporter.Fail(console, $"{path} already exists; choose another --out (it is never overwritten).", ExitCodes.Conflict);
            }

            var commonName = parse.GetValue(name)!.Trim();
            if (commonName.Length == 0)
            {
                return ProblemReporter.Fail(console, "--name must not be empty.", ExitCodes.Usage);
            }

            using var created = SelfSignedCertificates.CreateClient(commonName, TimeProvider.System, Validity);
            var password = OneTimePassword();
            try
            {
                WritePkcs12(created, path, password);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                return ProblemReporter.Fail(console, $"Could not write {path}: {ex.Message}", ExitCodes.InvalidInput);
            }

            using var client = AdminClient.ForDataDirectory(parse.GetValue(dataDirectory)!);
            var request = new AddTrustRequest { Certificate = CertificateFacts.ToPem(created), Role = parse.GetValue(role)!, Name = commonName };
            var result = await client.AddAsync(request, cancellationToken);
            if (!result.Succeeded)
            {
                // Not trusted, so the file is useless: leave nothing behind that looks like it works.
                File.Delete(path);
                return ProblemReporter.Report(console, result);
            }

            await console.Out.WriteLineAsync(result.Value!.Message);
            await console.Out.WriteLineAsync($"Wrote {path}; its password (shown only now): {password}");
            await console.Out.WriteLineAsync("Import it into the browser (docs/dashboard.md), then open https://<registry>/ui/.");
            return ExitCodes.Ok;
        });
        return command;
    }

    /// <summary>20 random characters from an alphabet without look-alikes (about 100 bits), easy to type once.</summary>
    private static string OneTimePassword() => RandomNumberGenerator.GetString("abcdefghjkmnpqrstuvwxyzABCDEFGHJKMNPQRSTUVWXYZ23456789", 20);

    /// <summary>
    /// AES-256 and SHA-256 (PBES2), which Chromium, Firefox and NSS's pk12util import; created 0600 from the first
    /// byte and never over an existing file.
    /// </summary>
    private static void WritePkcs12(X509Certificate2 certificate, string path, string password)
    {
        var bytes = certificate.ExportPkcs12(Pkcs12ExportPbeParameters.Pbes2Aes256Sha256, password);
        using var stream = new FileStream(path, new FileStreamOptions
        {
            Mode = FileMode.CreateNew,
            Access = FileAccess.Write,
            UnixCreateMode = CertificateFiles.PrivateKeyMode,
        });
        stream.Write(bytes);
        stream.Flush(flushToDisk: true);
    }
}
