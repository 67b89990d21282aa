using System.Diagnostics;
using Xunit.Abstractions;

namespace EndToEnd.Tests.Packaging;

/// <summary>
/// The Debian packages as an operator gets them: <c>packaging/test-debs.sh</c> builds them, checks the units with
/// <c>systemd-analyze verify</c>, installs them with <c>dpkg -i</c>, runs the installed programs through the seed's flow
/// (a registry, a publisher and a client), upgrades them in place keeping the data, and purges them. The script is
/// the test; this runs it as a real process and reports its steps.
/// </summary>
public sealed class PackagingTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Patience = TimeSpan.FromMinutes(20);

    [PackagingFact]
    public async Task The_deb_packages_install_run_the_seed_flow_upgrade_with_their_data_and_purge_without_a_trace()
    {
        var repository = RepositoryRoot();
        var info = new ProcessStartInfo("/bin/bash")
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
            WorkingDirectory = repository,
        };
        info.ArgumentList.Add(Path.Combine(repository, "packaging", "test-debs.sh"));
        // gzip instead of xz: the same package contents, a minute less of CPU in every CI run.
        info.Environment["DEB_COMPRESSION"] = "gzip";

        using var process = Process.Start(info) ?? throw new InvalidOperationException("Could not start packaging/test-debs.sh");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using (var timeout = new CancellationTokenSource(Patience))
        {
            try
            {
                await process.WaitForExitAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
                await process.WaitForExitAsync(CancellationToken.None);
            }
        }

        var (said, complained) = (await stdout, await stderr);
        output.WriteLine(said);
        output.WriteLine(complained);
        Assert.True(process.ExitCode == 0, $"packaging/test-debs.sh exited {process.ExitCode}:\n{said}\n{complained}");
        // The script skips itself (exit 0) when it would touch an installation it did not make: that is not a pass.
        Assert.DoesNotContain("SKIPPED", said, StringComparison.Ordinal);
        Assert.EndsWith("test-debs: 1 passed, 0 failed", said.TrimEnd(), StringComparison.Ordinal);
    }

    /// <summary>The checkout this test assembly was built from (the directory holding <c>Aar.slnx</c>).</summary>
    private static string RepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Aar.slnx")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException($"No Aar.slnx above {AppContext.BaseDirectory}");
    }
}
