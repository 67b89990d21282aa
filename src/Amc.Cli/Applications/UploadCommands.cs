using System.CommandLine;
using Aar.Cli.Common;
using Aar.Protocol.Management;
using Amc.Cli.Packages;

namespace Amc.Cli.Applications;

/// <summary><c>amc application create &lt;package&gt;</c> and <c>update &lt;app&gt; &lt;package&gt;</c>: stream the package, then wait for the import.</summary>
internal static class UploadCommands
{
    public static Command Create(Option<string> dataDirectory, CliConsole console)
    {
        var package = PackageArgument();
        var timeout = TimeoutOption.Create("the import");
        var noWait = NoWaitOption();
        var command = new Command("create", "Create an application from a package (a directory, .zip, .tar, .tar.gz or .tar.bz2); prints its id") { package, timeout, noWait };
        command.SetAction((parse, cancellationToken) =>
            RunAsync(parse.GetValue(dataDirectory)!, null, parse.GetValue(package)!, TimeoutOption.Value(parse, timeout), parse.GetValue(noWait), console, cancellationToken));
        return command;
    }

    public static Command Update(Option<string> dataDirectory, CliConsole console)
    {
        var application = new Argument<string>("application") { Description = "Application id or name" };
        var package = PackageArgument();
        var timeout = TimeoutOption.Create("the import");
        var noWait = NoWaitOption();
        var command = new Command("update", "Add a new version (the next number) to an application from a package") { application, package, timeout, noWait };
        command.SetAction((parse, cancellationToken) =>
            RunAsync(parse.GetValue(dataDirectory)!, parse.GetValue(application), parse.GetValue(package)!, TimeoutOption.Value(parse, timeout), parse.GetValue(noWait), console, cancellationToken));
        return command;
    }

    private static async Task<int> RunAsync(string dataDirectory, string? application, string path, TimeSpan timeout, bool noWait, CliConsole console, CancellationToken cancellationToken)
    {
        var source = PackageSource.Open(path, out var error);
        if (source is null)
        {
            return ProblemReporter.Fail(console, error!, ExitCodes.InvalidInput);
        }

        using var client = ManagementClient.ForDataDirectory(dataDirectory);
        var status = await client.GetStatusAsync(cancellationToken);
        var refusal = !status.Succeeded ? status.Problem
            : source.Size > status.Value!.PackageSizeLimit ? ManagementErrors.FromCode(413, $"{source.Name} is {source.Size} bytes, larger than this AMS's package size limit of {status.Value.PackageSizeLimit} bytes; make the package smaller or raise the limit with 'ams serve --max-package-size'.")
            : null;
        if (refusal is null && application is not null)
        {
            var existing = await client.GetApplicationAsync(application, cancellationToken);
            refusal = existing.Problem ?? (existing.Value!.Immutable
                ? ManagementErrors.FromCode(409, $"Application '{existing.Value.Name}' is managed by the registry at {existing.Value.Origin?.RegistryUrl} and cannot be updated here; change it on the publishing AMS instead.")
                : null);
        }

        if (refusal is not null)
        {
            return ProblemReporter.Report(console, refusal);
        }

        var started = await UploadProgress.RunAsync(console, $"Uploading {source.Name}", source.Size, async progress =>
        {
            using var content = source.CreateContent(progress);
            return await client.UploadPackageAsync(content, source.Name, application, cancellationToken);
        });
        if (!started.Succeeded)
        {
            return ProblemReporter.Report(console, started);
        }

        if (noWait)
        {
            await console.Out.WriteLineAsync(started.Value!.Id);
            await console.Error.WriteLineAsync($"Import of {source.Name} started as operation {started.Value.Id}; follow it with 'amc application list'.");
            return ExitCodes.Ok;
        }

        return await OperationWaiter.WaitAsync(client, started.Value!, timeout, console, cancellationToken);
    }

    private static Argument<string> PackageArgument() => new("package") { Description = "Package: a directory, or a .zip, .tar, .tar.gz or .tar.bz2 file holding manifest.yaml (see docs/ams.md)" };

    private static Option<bool> NoWaitOption() => new("--no-wait") { Description = "Return once the package is uploaded; print the operation id instead of waiting for the import" };
}
