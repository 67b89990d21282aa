using Aar.Hosting;
using Aar.Protocol.Certificates;
using Ams.Daemon.Hosting;
using Microsoft.Extensions.Logging;
using TestSupport;
using Xunit.Abstractions;

namespace Ams.Daemon.Tests;

public sealed class StartupTests(ITestOutputHelper output)
{
    [Fact]
    public async Task First_start_makes_the_registry_client_certificate_with_a_private_key_only_the_owner_reads()
    {
        await using var daemon = await AmsTestDaemon.StartAsync(output);
        var crt = Path.Combine(daemon.DataDirectory, "registry", "client.crt");
        var key = Path.Combine(daemon.DataDirectory, "registry", "client.key");

        Assert.True(File.Exists(crt));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(key));
        using var loaded = CertificateFiles.LoadPair(crt, key);
        Assert.Equal(Fingerprint.Of(loaded).Hex, daemon.Host.ClientFingerprint);

        var first = daemon.Host.ClientFingerprint;
        await daemon.RestartAsync();
        Assert.Equal(first, daemon.Host.ClientFingerprint);
        using var client = daemon.Client();
        Assert.Equal(first, (await client.GetStatusAsync()).Value!.ClientFingerprint);
    }

    [Fact]
    public async Task Two_AMS_on_one_host_get_certificates_with_names_that_tell_them_apart()
    {
        await using var first = await AmsTestDaemon.StartAsync(output);
        await using var second = await AmsTestDaemon.StartAsync(output);

        var names = new[] { first, second }.Select(d =>
        {
            using var certificate = CertificateFiles.LoadPair(Path.Combine(d.DataDirectory, "registry", "client.crt"), Path.Combine(d.DataDirectory, "registry", "client.key"));
            return CertificateFacts.CommonName(certificate);
        }).ToList();

        Assert.All(names, name => Assert.Matches($"^ams-[0-9a-f]{{6}}@{System.Text.RegularExpressions.Regex.Escape(System.Net.Dns.GetHostName())}$", name));
        Assert.NotEqual(names[0], names[1]);
    }

    [Fact]
    public async Task A_damaged_client_certificate_under_a_running_daemon_is_reported_not_a_failure_of_the_service_status()
    {
        await using var daemon = await AmsTestDaemon.StartAsync(output);
        await File.WriteAllTextAsync(Path.Combine(daemon.DataDirectory, "registry", "client.crt"), "-----BEGIN CERTIFICATE-----\ngarbage\n-----END CERTIFICATE-----\n");
        using var client = daemon.Client();

        var service = await client.GetStatusAsync();
        var registry = await client.GetRegistryStatusAsync();

        Assert.True(service.Succeeded, service.Problem?.Detail);
        Assert.StartsWith("unreadable (", service.Value!.ClientFingerprint, StringComparison.Ordinal);
        Assert.StartsWith("unreadable (", registry.Value!.ClientFingerprint, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_second_daemon_on_the_same_data_directory_is_refused()
    {
        await using var daemon = await AmsTestDaemon.StartAsync(output);

        var error = await Assert.ThrowsAsync<StartupException>(() => AmsHost.StartAsync(daemon.Options, logging => logging.AddProvider(new XunitLoggerProvider(output))));

        Assert.Contains("Another 'ams serve' is already using the data directory", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Bad_options_are_all_reported_at_once()
    {
        var options = new AmsOptions { DataDirectory = "", Architecture = "sparc", LogFormat = "xml", MaxPackageBytes = 10 };

        var error = await Assert.ThrowsAsync<StartupException>(() => AmsHost.StartAsync(options));

        Assert.Equal(
            string.Join(Environment.NewLine,
                "--data-dir is empty: give a directory the daemon may create and write, e.g. /var/lib/ams.",
                "--architecture 'sparc' is unknown: use amd64 or arm64.",
                "--log-format 'xml' is unknown: use text or json.",
                "--max-package-size 10 is too small: give at least 1024 bytes (default 10737418240)."),
            error.Message);
    }

    [Fact]
    public async Task Status_reports_architecture_and_package_limit()
    {
        await using var daemon = await AmsTestDaemon.StartAsync(output, maxPackageBytes: 123_456, architecture: "arm64");
        using var client = daemon.Client();

        var status = await client.GetStatusAsync();

        Assert.Equal(("arm64", 123_456L), (status.Value!.Architecture, status.Value.PackageSizeLimit));
    }
}
