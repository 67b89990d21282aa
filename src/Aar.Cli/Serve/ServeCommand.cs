using System.CommandLine;
using Aar.Protocol.Cli;
using Aar.Server.Hosting;
using Aar.Server.Tls;

namespace Aar.Cli.Serve;

/// <summary><c>aar serve</c>: runs the registry in the foreground until SIGTERM or SIGINT.</summary>
internal static class ServeCommand
{
    /// <summary>Startup failures (bad option, data directory, port in use) exit with 1 and one sentence.</summary>
    private const int StartupFailed = 1;

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

        var maxBlobSize = new Option<long>("--max-blob-size")
        {
            Description = "Largest package blob accepted: bytes or with a unit (500MiB, 10GiB, 2GB); default 10GiB",
            DefaultValueFactory = _ => 10L << 30,
            CustomParser = result =>
            {
                var text = result.Tokens.Count > 0 ? result.Tokens[0].Value : "";
                if (Units.TryParseSize(text, out var bytes) && bytes > 0)
                {
                    return bytes;
                }

                result.AddError($"--max-blob-size '{text}' is not a size: use bytes or a number with KiB, MiB, GiB, TiB (or KB, MB, GB, TB), e.g. 10GiB.");
                return 0;
            },
        };
        var uploadExpiry = new Option<TimeSpan>("--upload-expiry")
        {
            Description = "Discard an upload session (and reclaim its bytes) after this long without a chunk: 30m, 6h, 24h, 1h30m; default 24h",
            DefaultValueFactory = _ => TimeSpan.FromHours(24),
            CustomParser = result =>
            {
                var text = result.Tokens.Count > 0 ? result.Tokens[0].Value : "";
                if (DurationText.TryParse(text, out var duration) && duration >= TimeSpan.FromSeconds(1))
                {
                    return duration;
                }

                result.AddError($"--upload-expiry '{text}' is not a duration of at least 1s: use e.g. 30m, 6h, 24h or 1h30m.");
                return TimeSpan.Zero;
            },
        };
        var blobGrace = new Option<TimeSpan>("--blob-grace")
        {
            Description = "Delete a blob no version names once it has been unused this long: 30m, 1h, 1d; default 1h",
            DefaultValueFactory = _ => TimeSpan.FromHours(1),
            CustomParser = result =>
            {
                var text = result.Tokens.Count > 0 ? result.Tokens[0].Value : "";
                if (DurationText.TryParse(text, out var duration) && duration >= TimeSpan.FromSeconds(1))
                {
                    return duration;
                }

                result.AddError($"--blob-grace '{text}' is not a duration of at least 1s: use e.g. 30m, 1h or 1d.");
                return TimeSpan.Zero;
            },
        };
        var command = new Command("serve", "Run the registry server in the foreground (logs to stderr; stops cleanly on SIGTERM/SIGINT)");
        command.Options.Add(listen);
        command.Options.Add(san);
        command.Options.Add(logFormat);
        command.Options.Add(maxBlobSize);
        command.Options.Add(uploadExpiry);
        command.Options.Add(blobGrace);
        command.SetAction(async (parse, cancellationToken) =>
        {
            var options = new ServeOptions
            {
                DataDirectory = parse.GetValue(dataDirectory)!,
                Listen = parse.GetValue(listen)!,
                ExtraSubjectAlternativeNames = parse.GetValue(san) ?? [],
                LogFormat = parse.GetValue(logFormat)!,
                MaxBlobBytes = parse.GetValue(maxBlobSize),
                UploadIdleTimeout = parse.GetValue(uploadExpiry),
                BlobGracePeriod = parse.GetValue(blobGrace),
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
        });
        return command;
    }
}
