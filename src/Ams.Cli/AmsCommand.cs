using System.CommandLine;
using Aar.Cli.Common;
using Aar.Hosting;
using Ams.Daemon.Applications;
using Ams.Daemon.Hosting;

namespace Ams.Cli;

/// <summary>The <c>ams</c> command tree: <c>ams serve</c> runs the management service in the foreground.</summary>
internal static class AmsCommand
{
    public const string DataDirectoryVariable = "AMS_DATA_DIR";
    public const string DefaultDataDirectory = "/var/lib/ams";

    /// <summary>Startup failures (bad option, data directory in use, ...) exit with 1 and one sentence.</summary>
    private const int StartupFailed = 1;

    /// <summary>The daemon ran and then stopped because something failed, not because it was asked to (docs/exit-codes.md).</summary>
    private const int StoppedOnFailure = ExitCodes.Internal;

    public static Task<int> RunAsync(IReadOnlyList<string> args, CliConsole console, CancellationToken cancellationToken = default) =>
        CliRunner.RunAsync(Create(), args, console, cancellationToken);

    public static RootCommand Create()
    {
        var root = new RootCommand("Anbox management service (AMS): keeps the catalogue of Android applications that 'amc' manages and a registry exchanges.");
        root.Options.Add(CliRunner.VerboseOption);
        root.Subcommands.Add(Serve());
        return root;
    }

    private static Command Serve()
    {
        var dataDirectory = new Option<string>("--data-dir")
        {
            Description = $"Data directory (env {DataDirectoryVariable}, default {DefaultDataDirectory}); holds the database, packages, registry/client.crt and unix.socket",
            DefaultValueFactory = _ => Environment.GetEnvironmentVariable(DataDirectoryVariable) is { Length: > 0 } fromEnvironment ? fromEnvironment : DefaultDataDirectory,
        };
        var architecture = new Option<string>("--architecture")
        {
            Description = $"Architecture of the applications this AMS manages: {string.Join(" or ", Architectures.Known)} (default the host's, {Architectures.Host})",
            DefaultValueFactory = _ => Architectures.Host,
        };
        var maxPackageSize = new Option<string>("--max-package-size")
        {
            Description = "Largest package accepted, also the most a package may unpack to: bytes or a size such as 500MiB, 10GiB, 2GB (default 10GiB)",
            DefaultValueFactory = _ => "10GiB",
        };
        maxPackageSize.Validators.Add(result =>
        {
            var text = result.GetValueOrDefault<string>();
            if (!SizeText.TryParse(text, out _))
            {
                result.AddError($"--max-package-size '{text}' is not a size: {SizeText.Accepted}, e.g. 10GiB.");
            }
        });
        var logFormat = new Option<string>("--log-format") { Description = "Log format on stderr: text or json", DefaultValueFactory = _ => "text" };
        logFormat.AcceptOnlyFromAmong("text", "json");
        // Checked by the options validator, not here, so that a bad level is listed with the other options' problems.
        var logLevel = new Option<string>("--log-level")
        {
            Description = $"Least severe log level written: {DaemonLogLevel.Choices} (debug adds per-request detail)",
            DefaultValueFactory = _ => DaemonLogLevel.Default,
        };
        logLevel.CompletionSources.Add([.. DaemonLogLevel.Names]);
        var metricsListen = new Option<string>("--metrics-listen")
        {
            Description = "Plain-HTTP address for /metrics (Prometheus), /healthz and /readyz, e.g. 127.0.0.1:9101; no authentication, so bind it to localhost or a private interface (default: off)",
        };

        var command = new Command("serve", "Run the management service in the foreground (logs to stderr; stops cleanly on SIGTERM/SIGINT)")
        {
            dataDirectory, architecture, maxPackageSize, logFormat, logLevel, metricsListen,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var options = new AmsOptions
            {
                DataDirectory = parse.GetValue(dataDirectory)!,
                Architecture = parse.GetValue(architecture)!,
                MaxPackageBytes = SizeText.TryParse(parse.GetValue(maxPackageSize), out var bytes) ? bytes : 0,
                LogFormat = parse.GetValue(logFormat)!,
                LogLevel = parse.GetValue(logLevel)!,
                MetricsListen = parse.GetValue(metricsListen),
            };
            AmsHost host;
            try
            {
                host = await AmsHost.StartAsync(options, cancellationToken: cancellationToken);
            }
            catch (StartupException ex)
            {
                await parse.InvocationConfiguration.Error.WriteLineAsync($"ams serve: {ex.Message}");
                return StartupFailed;
            }

            Exception? failure;
            await using (host)
            {
                await host.WaitForShutdownAsync(cancellationToken);
                failure = host.Failure;
            }

            if (failure is not null)
            {
                // Not a clean stop: exit non-zero so that a supervisor (systemd Restart=on-failure) starts it again.
                await parse.InvocationConfiguration.Error.WriteLineAsync($"ams serve: stopped on an unexpected failure ({failure.GetType().Name}: {failure.Message}); the log above has the details.");
                return StoppedOnFailure;
            }

            return 0;
        });
        return command;
    }
}
