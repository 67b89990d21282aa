using System.Net.Sockets;
using System.Net;
using System.Security.Cryptography.X509Certificates;
using Aar.Hosting;
using Aar.Protocol.Http;
using Aar.Protocol.Registry;
using Aar.Server.Hosting;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using TestSupport;
using Xunit.Abstractions;

namespace Aar.Server.Tests;

/// <summary>Start, restart and refusal to start: data directory, certificates, database, listen address.</summary>
public sealed class ServerLifecycleTests(ITestOutputHelper output)
{
    [Fact]
    public async Task First_start_creates_a_server_certificate_with_a_private_key_only_the_owner_can_read()
    {
        using var temp = new TempDirectory();
        var options = new ServeOptions { DataDirectory = temp.Combine("data"), Listen = "127.0.0.1:0", ExtraSubjectAlternativeNames = ["registry.example.net", "203.0.113.7"] };
        await using var host = await RegistryHost.StartAsync(options, l => l.AddProvider(new XunitLoggerProvider(output)));

        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(temp.Combine("data", "certs", "server.key")));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.GroupWrite, File.GetUnixFileMode(host.SocketPath));
        using var certificate = X509Certificate2.CreateFromPem(File.ReadAllText(temp.Combine("data", "certs", "server.crt")));
        var sans = certificate.Extensions.OfType<X509SubjectAlternativeNameExtension>().Single();
        Assert.Contains("localhost", sans.EnumerateDnsNames());
        Assert.Contains("registry.example.net", sans.EnumerateDnsNames());
        Assert.Contains(IPAddress.Loopback, sans.EnumerateIPAddresses());
        Assert.Contains(IPAddress.Parse("203.0.113.7"), sans.EnumerateIPAddresses());
        Assert.True(certificate.NotAfter > DateTime.UtcNow.AddYears(5));
        Assert.Equal(Aar.Protocol.Certificates.Fingerprint.Of(certificate).Hex, host.ServerFingerprint);
    }

    [Fact]
    public async Task Trust_and_revocations_survive_a_restart_and_the_server_keeps_its_certificate()
    {
        await using var server = await RegistryTestServer.StartAsync(output);
        using var kept = TestCertificates.Client("kept");
        using var revoked = TestCertificates.Client("revoked");
        await server.TrustAsync(kept, TrustRole.Publisher);
        await server.TrustAsync(revoked);
        using (var admin = server.Admin())
        {
            Assert.True((await admin.RevokeAsync(TestCertificates.FingerprintOf(revoked))).Succeeded);
        }

        var fingerprintBefore = server.ServerFingerprint;
        await server.RestartAsync();

        Assert.Equal(fingerprintBefore, server.ServerFingerprint);
        using var keptClient = server.Client(kept);
        using var revokedClient = server.Client(revoked);
        Assert.Equal(HttpStatusCode.OK, (await keptClient.Http.GetAsync("/1.0")).StatusCode);
        await TrustEnforcementTests.AssertProblem(await revokedClient.Http.GetAsync("/1.0"), HttpStatusCode.Forbidden, ProblemTypes.RevokedCertificate);
    }

    [Fact]
    public async Task An_expired_certificate_is_refused_even_though_it_is_still_in_the_trust_store()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var server = await RegistryTestServer.StartAsync(output, time: time);
        using var certificate = TestCertificates.Client();
        await server.TrustAsync(certificate);
        using var client = server.Client(certificate);
        Assert.Equal(HttpStatusCode.OK, (await client.Http.GetAsync("/1.0")).StatusCode);

        time.Advance(TimeSpan.FromDays(31));

        await TrustEnforcementTests.AssertProblem(await client.Http.GetAsync("/1.0"), HttpStatusCode.Forbidden, ProblemTypes.ExpiredCertificate);
    }

    [Fact]
    public async Task A_second_server_on_the_same_data_directory_is_refused()
    {
        await using var server = await RegistryTestServer.StartAsync(output);

        var error = await Assert.ThrowsAsync<StartupException>(() =>
            RegistryHost.StartAsync(new ServeOptions { DataDirectory = server.DataDirectory, Listen = "127.0.0.1:0" }));

        Assert.Contains("Another 'aar serve' is already using the data directory", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_port_in_use_is_one_sentence_that_names_the_address()
    {
        using var temp = new TempDirectory();
        using var occupier = new TcpListener(IPAddress.Loopback, 0);
        occupier.Start();
        var listen = $"127.0.0.1:{((IPEndPoint)occupier.LocalEndpoint).Port}";

        var error = await Assert.ThrowsAsync<StartupException>(() =>
            RegistryHost.StartAsync(new ServeOptions { DataDirectory = temp.Combine("data"), Listen = listen }));

        Assert.Equal($"Cannot listen on {listen}: the address is already in use by another process; stop it or choose another address with --listen.", error.Message);
    }

    [Fact]
    public async Task A_data_directory_that_cannot_be_created_is_refused()
    {
        using var temp = new TempDirectory();
        File.WriteAllText(temp.Combine("file"), "not a directory");

        var error = await Assert.ThrowsAsync<StartupException>(() =>
            RegistryHost.StartAsync(new ServeOptions { DataDirectory = temp.Combine("file", "data"), Listen = "127.0.0.1:0" }));

        Assert.StartsWith($"Cannot create the data directory {temp.Combine("file", "data")}", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    [Trait("Backend", "Embedded")]
    public async Task A_corrupted_database_stops_the_start_with_what_to_do_and_is_left_untouched()
    {
        using var temp = new TempDirectory();
        Directory.CreateDirectory(temp.Combine("data"));
        var garbage = new byte[8192];
        Random.Shared.NextBytes(garbage);
        File.WriteAllBytes(temp.Combine("data", "aar.db"), garbage);

        var error = await Assert.ThrowsAsync<StartupException>(() =>
            RegistryHost.StartAsync(new ServeOptions { DataDirectory = temp.Combine("data"), Listen = "127.0.0.1:0" }));

        Assert.Contains("is corrupted", error.Message, StringComparison.Ordinal);
        Assert.Contains("restore it from a backup", error.Message, StringComparison.Ordinal);
        Assert.Equal(garbage, File.ReadAllBytes(temp.Combine("data", "aar.db")));
    }

    [Fact]
    [Trait("Backend", "Embedded")]
    public async Task A_database_locked_by_another_process_stops_the_start_with_what_to_do()
    {
        await using var server = await RegistryTestServer.StartAsync(output);
        await server.StopAsync();
        using var holder = new SqliteConnection($"Data Source={Path.Combine(server.DataDirectory, "aar.db")};Pooling=False");
        holder.Open();
        using (var exclusive = holder.CreateCommand())
        {
            // What an sqlite3 shell in the middle of a write transaction looks like to the server.
            exclusive.CommandText = "BEGIN IMMEDIATE; INSERT INTO revoked_certificates (fingerprint, name, subject, revoked_at) VALUES ('" + new string('0', 64) + "', '', '', '2026-01-01T00:00:00.000Z');";
            exclusive.ExecuteNonQuery();
        }

        var error = await Assert.ThrowsAsync<StartupException>(() => server.RestartAsync());

        Assert.Contains("is locked by another process", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("", "--listen is empty")]
    [InlineData("3000", "has no port")]
    [InlineData("127.0.0.1:http", "invalid port")]
    [InlineData("127.0.0.1:70000", "invalid port")]
    [InlineData("registry.local:3000", "not a host name")]
    [InlineData("::1:3000", "IPv6 in brackets")]
    [InlineData("999.1.1.1:3000", "invalid address")]
    public async Task Bad_listen_addresses_are_refused_before_anything_is_created(string listen, string expected)
    {
        using var temp = new TempDirectory();

        var error = await Assert.ThrowsAsync<StartupException>(() =>
            RegistryHost.StartAsync(new ServeOptions { DataDirectory = temp.Combine("data"), Listen = listen }));

        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
        Assert.False(Directory.Exists(temp.Combine("data")));
    }

    [Fact]
    public async Task All_option_errors_are_reported_together()
    {
        var error = await Assert.ThrowsAsync<StartupException>(() =>
            RegistryHost.StartAsync(new ServeOptions { DataDirectory = "", Listen = "nope", ExtraSubjectAlternativeNames = ["bad name!"], LogFormat = "xml" }));

        var lines = error.Message.Split(Environment.NewLine);
        Assert.Equal(4, lines.Length);
        Assert.Contains(lines, l => l.StartsWith("--data-dir is empty", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("--san 'bad name!'", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("--log-format 'xml'", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_certificate_without_its_key_is_refused_rather_than_silently_replaced()
    {
        await using var server = await RegistryTestServer.StartAsync(output);
        await server.StopAsync();
        File.Delete(Path.Combine(server.DataDirectory, "certs", "server.key"));

        var error = await Assert.ThrowsAsync<StartupException>(() => server.RestartAsync());

        Assert.Contains("server.key is missing", error.Message, StringComparison.Ordinal);
    }
}
