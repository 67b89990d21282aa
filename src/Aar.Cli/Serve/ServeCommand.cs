using System.CommandLine;
using Aar.Hosting;
using Aar.Protocol.Text;
using Aar.Server.Hosting;
using Aar.Server.Tls;

namespace Aar.Cli.Serve;

/// <summary><c>aar serve</c>: runs the registry in the foreground until SIGTERM or SIGINT.</summary>
internal static class ServeCommand
{
    /// <summary>Startup failures (bad option, data directory, port in use) exit with 1 and one sentence.</summary>
    private const int StartupFailed = 1;

    /// <summary>Like <c>--database</c>; an environment variable keeps a password out of the process list.</summary>
    internal const string DatabaseEnvironmentVariable = "AAR_DATABASE";

    public static Command Create(Option<string> dataDirectory)
    {
        var listen = new Option<string>("--listen")
        {
            Description = $"HTTPS address for AMS clients (mutual TLS), e.g. [::]:3000, 0.0.0.0:3000, 127.0.0.1:3000 (default {ListenAddress.Default})",
            DefaultValueFactory = _ => ListenAddress.Default,
        };
        var san = new Option<string[]>("--san")
        {
            Description = "Extra DNS name or IP address for the generated server certificate (repeatable; used only when the certificate is first created)",
            AllowMultipleArgumentsPerToken = false,
        };
        var logFormat = new Option<string>("--log-format")
        {
            Description = "Log format on stderr: text or json",
            DefaultValueFactory = _ => "text",
        };
        logFormat.AcceptOnlyFromAmong("text", "json");
        // Checked by the options validator, not here, so that a bad level is listed with the other options' problems.
        var logLevel = new Option<string>("--log-level")
        {
            Description = $"Least severe log level written: {DaemonLogLevel.Choices} (debug adds per-request detail)",
            DefaultValueFactory = _ => DaemonLogLevel.Default,
        };
        logLevel.CompletionSources.Add([.. DaemonLogLevel.Names]);

        var maxBlobSize = new Option<string>("--max-blob-size")
        {
            Description = "Largest package blob accepted: bytes or with a unit (500MiB, 10GiB, 2GB)",
            DefaultValueFactory = _ => "10GiB",
        };
        maxBlobSize.Validators.Add(result =>
        {
            var text = result.GetValueOrDefault<string>();
            if (!Units.TryParseSize(text, out var bytes) || bytes <= 0)
            {
                result.AddError($"--max-blob-size '{text}' is not a size: use bytes or a number with KiB, MiB, GiB, TiB (or KB, MB, GB, TB), e.g. 10GiB.");
            }
        });
        var uploadExpiry = DurationOption("--upload-expiry", "24h", "Discard an upload session (and reclaim its bytes) after this long without a chunk: 30m, 6h, 24h, 1h30m");
        var blobGrace = DurationOption("--blob-grace", "1h", "Delete a blob no version names once it has been unused this long: 30m, 1h, 1d");
        var maxUploadSessions = new Option<int>("--max-upload-sessions")
        {
            Description = "Upload sessions one publisher may have open at once; more are refused with 409 too-many-uploads",
            DefaultValueFactory = _ => 16,
        };
        var maxStagedBytes = new Option<string>("--max-staged-bytes")
        {
            Description = "Bytes one publisher's open upload sessions may hold together (default: twice --max-blob-size); more are refused with 409 upload-quota-exceeded",
        };
        maxStagedBytes.Validators.Add(result =>
        {
            var text = result.GetValueOrDefault<string>();
            if (!Units.TryParseSize(text, out var bytes) || bytes <= 0)
            {
                result.AddError($"--max-staged-bytes '{text}' is not a size: use bytes or a number with KiB, MiB, GiB, TiB (or KB, MB, GB, TB), e.g. 20GiB.");
            }
        });
        var enrolAttempts = new Option<int>("--enrol-attempts")
        {
            Description = "POST /1.0/enrol attempts allowed from one source address (IPv6: one /64) per --enrol-window; more get 429 with Retry-After",
            DefaultValueFactory = _ => 10,
        };
        var enrolWindow = DurationOption("--enrol-window", "1m", "The window --enrol-attempts counts over: 30s, 1m, 1h");
        var scrubInterval = new Option<string>("--scrub-interval")
        {
            Description = "Re-hash every blob this often and quarantine damaged ones (their publisher re-sends them): off (default), or e.g. 1d, 12h",
            DefaultValueFactory = _ => "off",
        };
        scrubInterval.Validators.Add(result =>
        {
            var text = result.GetValueOrDefault<string>();
            if (text != "off" && (!DurationText.TryParse(text, out var interval) || interval < TimeSpan.FromSeconds(1)))
            {
                result.AddError($"--scrub-interval '{text}' is not 'off' or a duration of at least 1s: use e.g. 12h or 1d.");
            }
        });
        var database = new Option<string>("--database")
        {
            // No DefaultValueFactory reading the variable: help prints defaults, and this value may hold a password.
            Description = $"Metadata database: empty for the embedded SQLite file in the data directory (default), or a PostgreSQL URL postgres://user:password@host:port/database or Npgsql connection string Host=…;Database=…, shared by several nodes (env {DatabaseEnvironmentVariable}; the flag wins)",
        };
        var metricsListen = new Option<string>("--metrics-listen")
        {
            Description = "Plain-HTTP address for /metrics (Prometheus), /healthz and /readyz, e.g. 127.0.0.1:9100; no authentication, so bind it to localhost or a private interface (default: off)",
        };
        var signingKey = new Option<string>("--signing-key")
        {
            Description = "The signing key's private PEM file (0600), created at first start if the registry has none; every node of a scale-out registry needs the same file (default: <data>/certs/signing.key)",
        };
        var listingValidity = DurationOption("--listing-validity", "24h", "How long a signed listing stays valid after it is issued, 5m to 30d: clients refuse older ones");
        var command = new Command("serve", "Run the registry server in the foreground (logs to stderr; stops cleanly on SIGTERM/SIGINT)");
        command.Options.Add(listen);
        command.Options.Add(san);
        command.Options.Add(logFormat);
        command.Options.Add(logLevel);
        command.Options.Add(maxBlobSize);
        command.Options.Add(uploadExpiry);
        command.Options.Add(blobGrace);
        command.Options.Add(scrubInterval);
        command.Options.Add(database);
        command.Options.Add(maxUploadSessions);
        command.Options.Add(maxStagedBytes);
        command.Options.Add(enrolAttempts);
        command.Options.Add(enrolWindow);
        command.Options.Add(metricsListen);
        command.Options.Add(signingKey);
        command.Options.Add(listingValidity);
        var storage = new S3ServeOptions();
        storage.AddTo(command);
        // A plain lambda, not an async one: the native build's trimming drops the in-process branch, which an async
        // state machine would keep reachable through its resume points.
        command.SetAction((parse, cancellationToken) => ServerProcess.InProcess
            ? ServeInProcessAsync(parse, cancellationToken)
            : Task.FromResult(ServerProcess.Exec("serve", parse.InvocationConfiguration.Error, StartupFailed)));
        return command;

        async Task<int> ServeInProcessAsync(ParseResult parse, CancellationToken cancellationToken)
        {
            var options = new ServeOptions
            {
                DataDirectory = parse.GetValue(dataDirectory)!,
                Listen = parse.GetValue(listen)!,
                ExtraSubjectAlternativeNames = parse.GetValue(san) ?? [],
                LogFormat = parse.GetValue(logFormat)!,
                LogLevel = parse.GetValue(logLevel)!,
                MetricsListen = parse.GetValue(metricsListen),
                MaxBlobBytes = Units.TryParseSize(parse.GetValue(maxBlobSize)!, out var bytes) ? bytes : 0,
                UploadIdleTimeout = DurationText.TryParse(parse.GetValue(uploadExpiry), out var expiry) ? expiry : TimeSpan.Zero,
                BlobGracePeriod = DurationText.TryParse(parse.GetValue(blobGrace), out var grace) ? grace : TimeSpan.Zero,
                MaxUploadSessionsPerPublisher = parse.GetValue(maxUploadSessions),
                MaxStagedBytesPerPublisher = parse.GetValue(maxStagedBytes) is { } staged && Units.TryParseSize(staged, out var stagedBytes) ? stagedBytes : null,
                EnrolAttempts = parse.GetValue(enrolAttempts),
                EnrolWindow = DurationText.TryParse(parse.GetValue(enrolWindow), out var window) ? window : TimeSpan.Zero,
                ScrubInterval = DurationText.TryParse(parse.GetValue(scrubInterval), out var scrub) ? scrub : null,
                Database = parse.GetValue(database) is { Length: > 0 } flag ? flag : Environment.GetEnvironmentVariable(DatabaseEnvironmentVariable),
                BlobStore = storage.BlobStore(parse),
                S3 = storage.Read(parse),
                SigningKeyPath = parse.GetValue(signingKey),
                ListingValidity = DurationText.TryParse(parse.GetValue(listingValidity), out var validity) ? validity : TimeSpan.Zero,
            };
            RegistryHost host;
            try
            {
                host = await RegistryHost.StartAsync(options, cancellationToken: cancellationToken);
            }
            catch (StartupException ex)
            {
                await parse.InvocationConfiguration.Error.WriteLineAsync($"aar serve: {ex.Message}");
                return StartupFailed;
            }

            await using (host)
            {
                await host.WaitForShutdownAsync(cancellationToken);
            }

            return 0;
        }
    }

    private static Option<string> DurationOption(string name, string defaultValue, string description)
    {
        var option = new Option<string>(name) { Description = description, DefaultValueFactory = _ => defaultValue };
        option.Validators.Add(result =>
        {
            var text = result.GetValueOrDefault<string>();
            if (!DurationText.TryParse(text, out var duration) || duration < TimeSpan.FromSeconds(1))
            {
                result.AddError($"{name} '{text}' is not a duration of at least 1s: use e.g. 30m, 6h, 1h30m or 1d.");
            }
        });
        return option;
    }
}
