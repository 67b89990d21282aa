using System.CommandLine;
using Aar.Cli.Common;
using Aar.Protocol.Management;

namespace Amc.Cli.Registry;

/// <summary><c>amc registry certificate renew</c>: a new registry client certificate for this AMS, and what to run on the registry.</summary>
internal static class CertificateCommands
{
    public static Command Create(Option<string> dataDirectory, CliConsole console)
    {
        var certificate = new Command("certificate", "Manage this AMS's registry client certificate (registry/client.crt)");
        certificate.Subcommands.Add(Renew(dataDirectory, console));
        return certificate;
    }

    private static Command Renew(Option<string> dataDirectory, CliConsole console)
    {
        var yes = new Option<bool>("--yes", "-y") { Description = "Do not ask for confirmation" };
        var command = new Command("renew", "Make a new key pair and client certificate (after a compromise or a revocation, or before it expires); the registry must trust the new one before syncing works again") { yes };
        command.SetAction(async (parse, cancellationToken) =>
        {
            if (!parse.GetValue(yes)
                && await Confirmation.AskAsync(console, "Replace this AMS's registry client certificate? Syncing fails until the registry trusts the new one. [y/N] ", "renew", "renewed", enterMeansYes: false, cancellationToken) is { } stop)
            {
                return stop;
            }

            var data = parse.GetValue(dataDirectory)!;
            using var client = ManagementClient.ForDataDirectory(data);
            var result = await client.RenewClientCertificateAsync(cancellationToken);
            if (!result.Succeeded)
            {
                return ProblemReporter.Report(console, result);
            }

            var renewed = result.Value!;
            var crt = Path.Combine(Path.GetFullPath(data), "registry", "client.crt");
            var publisher = renewed.Role == "publisher" ? " --publisher" : "";
            var old = renewed.PreviousFingerprint[..12];
            await console.Out.WriteLineAsync($"""
                New registry client certificate {renewed.Fingerprint} ({renewed.CommonName}) in {crt};
                the previous one ({old}) is kept as client.crt.previous.
                On the registry host, trust the new one (copy client.crt there first):
                  cat client.crt | aar trust add{publisher}
                or make a token there and join with it here:
                  aar trust token create{publisher}        then here: amc registry join <token>
                Then retire the old one there: aar trust remove {old}   (or, if its key may have leaked: aar trust revoke {old})
                """);
            if (renewed.Role == "publisher")
            {
                await console.Out.WriteLineAsync($"""
                    Applications this AMS published stay owned by the old certificate: delete them on the registry
                    ('aar application delete <name>'); the next pass publishes them again under the new one, with the same
                    versions and packages.
                    """);
            }

            return ExitCodes.Ok;
        });
        return command;
    }
}
