using System.CommandLine;
using System.Globalization;
using Aar.Cli.Common;
using Aar.Cli.Serve;
using Aar.Hosting;
using Aar.Server.Hosting;
using Aar.Server.Migration;

namespace Aar.Cli.Migrate;

/// <summary>
/// <c>aar migrate</c>: moves a stopped embedded registry (the data directory's SQLite file and blob files) into the
/// PostgreSQL database and S3 bucket given exactly as to <c>aar serve</c>, verifying every blob on the way.
/// </summary>
internal static class MigrateCommand
{
    public static Command Create(Option<string> dataDirectory, CliConsole console)
    {
        var database = new Option<string>("--database")
        {
            Description = $"Target PostgreSQL database: URL postgres://user:password@host:port/database or Npgsql string Host=…;Database=… (env {ServeCommand.DatabaseEnvironmentVariable}; the flag wins). Must be empty",
        };
        var storage = new S3ServeOptions();
        var command = new Command("migrate", """
            Move this data directory's embedded registry into shared backends, for a scale-out registry (docs/scale-out.md).
            Stop 'aar serve' first. Give the target options exactly as you will give them to 'aar serve': --database (or
            AAR_DATABASE) and, to move the blobs too, --blob-store s3 with the --s3-* options (credentials from
            AAR_S3_ACCESS_KEY/AAR_S3_SECRET_KEY). Every blob a version names is copied and its SHA-256 verified on the
            way (a damaged blob stops the run; re-running skips blobs already copied); then all metadata - trust store,
            revocation list, join tokens, applications, versions, deletion records, generation - goes in one transaction.
            The target database must be empty. Unfinished uploads are not moved (publishers start them again). The
            embedded files stay untouched.
            """);
        command.Options.Add(database);
        storage.AddTo(command);
        // A plain lambda, not an async one: the native build's trimming drops the in-process branch, which an async
        // state machine would keep reachable through its resume points.
        command.SetAction((parse, cancellationToken) => ServerProcess.InProcess
            ? MigrateInProcessAsync(parse, cancellationToken)
            : Task.FromResult(ServerProcess.Exec("migrate", console.Error, ExitCodes.Internal)));
        return command;

        async Task<int> MigrateInProcessAsync(ParseResult parse, CancellationToken cancellationToken)
        {
            var options = new ServeOptions
            {
                DataDirectory = parse.GetValue(dataDirectory)!,
                Database = parse.GetValue(database) is { Length: > 0 } flag ? flag : Environment.GetEnvironmentVariable(ServeCommand.DatabaseEnvironmentVariable),
                BlobStore = storage.BlobStore(parse),
                S3 = storage.Read(parse),
            };
            var progress = new SynchronousProgress<MigrationStep>(step => console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"[{step.Index}/{step.Count}] {step.Digest} ({Units.FormatSize(step.Size)}) {(step.Copied ? "copied and verified" : "already there")}")));
            try
            {
                var report = await RegistryMigration.RunAsync(options, progress, cancellationToken);
                await console.Out.WriteLineAsync(Summary(options, report));
                return ExitCodes.Ok;
            }
            catch (MigrationException ex)
            {
                await console.Error.WriteLineAsync($"aar migrate: {ex.Message}");
                return ExitCode(ex.Failure);
            }
            catch (StartupException ex)
            {
                await console.Error.WriteLineAsync($"aar migrate: {ex.Message}");
                return ExitCodes.Unreachable;
            }
        }
    }

    /// <summary>The exit code each kind of failure ends <c>aar migrate</c> with.</summary>
    private static int ExitCode(MigrationFailure failure) => failure switch
    {
        MigrationFailure.BadOptions => ExitCodes.Usage,
        MigrationFailure.NoSource => ExitCodes.NotFound,
        MigrationFailure.DamagedSource => ExitCodes.InvalidInput,
        MigrationFailure.CopyFailed => ExitCodes.Unreachable,
        _ => ExitCodes.Conflict,
    };

    private static string Summary(ServeOptions options, MigrationReport report)
    {
        string Count(string table, string noun) => $"{report.Rows[table]} {noun}{(report.Rows[table] == 1 ? "" : "s")}";
        var blobs = options.BlobStore == "s3"
            ? $"{report.BlobsCopied} blob{(report.BlobsCopied == 1 ? "" : "s")} copied to S3 and verified ({Units.FormatSize(report.Bytes)}), {report.BlobsAlreadyThere} already there"
            : "blobs stay in this data directory (--blob-store filesystem): only this machine can serve them";
        var uploads = report.UploadSessionsLeft > 0
            ? $" {report.UploadSessionsLeft} unfinished upload session{(report.UploadSessionsLeft == 1 ? " was" : "s were")} not moved; publishers start them again."
            : "";
        // The key history moved; the private key is a file, which every node needs (docs/scale-out.md).
        var signing = report.Rows.TryGetValue("signing_keys", out var keys) && keys > 0
            ? " The signing key's history moved too: give every node this data directory's certs/signing.key (mode 0600)."
            : "";
        return string.Create(CultureInfo.InvariantCulture,
            $"Migrated: {Count("trusted_certificates", "trusted certificate")}, {Count("revoked_certificates", "revoked certificate")}, {Count("join_tokens", "join token")}, {Count("applications", "application")}, {Count("versions", "version")}, {Count("deletions", "deletion record")}, generation {report.Generation}; {blobs}.{uploads}{signing} Start 'aar serve' with the same --database and --blob-store options.");
    }

    /// <summary>Reports on the caller's thread, in order (<see cref="Progress{T}"/> would post to the thread pool).</summary>
    private sealed class SynchronousProgress<T>(Action<T> report) : IProgress<T>
    {
        public void Report(T value) => report(value);
    }
}
