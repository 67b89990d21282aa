using System.Net;
using System.Net.Sockets;
using Aar.Cli.Common;
using TestSupport;

namespace Aar.Cli.Tests;

/// <summary><c>aar serve</c> and <c>aar trust</c> as real processes: signals, kill -9, exit codes, the seed's pipes.</summary>
public sealed class ServeProcessTests
{
    [Fact]
    public async Task The_seed_flow_works_with_real_processes_and_SIGTERM_stops_the_server_cleanly()
    {
        using var temp = new TempDirectory();
        var data = temp.Combine("data");
        var port = AarProcess.FreePort();
        using var server = AarProcess.Start("serve", "--data-dir", data, "--listen", $"127.0.0.1:{port}");
        await server.WaitUntilReadyAsync(Path.Combine(data, "unix.socket"), TimeSpan.FromSeconds(30));
        using var client = TestCertificates.Client("ams-client");
        File.WriteAllText(temp.Combine("client.crt"), TestCertificates.Pem(client));

        var piped = await AarProcess.RunAsync(TestCertificates.Pem(client), "trust", "add", "--data-dir", data);
        var fromFile = await AarProcess.RunAsync(null, "trust", "add", temp.Combine("client.crt"), "--data-dir", data);
        var list = await AarProcess.RunAsync(null, "trust", "list", "--format", "csv", "--data-dir", data);
        server.Signal(AarProcess.SigTerm);
        var exit = await server.WaitForExitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(ExitCodes.Ok, piped.ExitCode);
        Assert.Contains("as client", piped.Out, StringComparison.Ordinal);
        Assert.Equal(ExitCodes.Ok, fromFile.ExitCode);
        Assert.Contains("already trusted", fromFile.Out, StringComparison.Ordinal);
        Assert.Contains(TestCertificates.FingerprintOf(client), list.Out, StringComparison.Ordinal);
        Assert.Equal(0, exit);
        Assert.False(File.Exists(Path.Combine(data, "unix.socket")), "the socket is removed on a clean shutdown");
    }

    [Fact]
    public async Task After_kill_9_the_cli_explains_the_stale_socket_and_a_restart_keeps_the_trust_store()
    {
        using var temp = new TempDirectory();
        var data = temp.Combine("data");
        using var client = TestCertificates.Client();
        using (var first = AarProcess.Start("serve", "--data-dir", data, "--listen", $"127.0.0.1:{AarProcess.FreePort()}"))
        {
            await first.WaitUntilReadyAsync(Path.Combine(data, "unix.socket"), TimeSpan.FromSeconds(30));
            Assert.Equal(ExitCodes.Ok, (await AarProcess.RunAsync(TestCertificates.Pem(client), "trust", "add", "-p", "--data-dir", data)).ExitCode);
            first.Signal(AarProcess.SigKill);
            await first.WaitForExitAsync(TimeSpan.FromSeconds(10));
        }

        var stale = await AarProcess.RunAsync(null, "trust", "list", "--data-dir", data);
        using var second = AarProcess.Start("serve", "--data-dir", data, "--listen", $"127.0.0.1:{AarProcess.FreePort()}");
        await second.WaitUntilReadyAsync(Path.Combine(data, "unix.socket"), TimeSpan.FromSeconds(30));
        var list = await AarProcess.RunAsync(null, "trust", "list", "--format", "csv", "--data-dir", data);

        Assert.Equal(ExitCodes.Unreachable, stale.ExitCode);
        Assert.Contains("stale socket", stale.Error, StringComparison.Ordinal);
        Assert.Contains($"{TestCertificates.FingerprintOf(client)},publisher", list.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_port_in_use_exits_1_with_one_sentence_and_no_stack_trace()
    {
        using var temp = new TempDirectory();
        using var occupier = new TcpListener(IPAddress.Loopback, 0);
        occupier.Start();
        var listen = $"127.0.0.1:{((IPEndPoint)occupier.LocalEndpoint).Port}";

        var result = await AarProcess.RunAsync(null, "serve", "--data-dir", temp.Combine("data"), "--listen", listen);

        Assert.Equal(1, result.ExitCode);
        Assert.Contains($"aar serve: Cannot listen on {listen}: the address is already in use by another process; stop it or choose another address with --listen.", result.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Bad_options_exit_1_before_creating_anything()
    {
        using var temp = new TempDirectory();

        var result = await AarProcess.RunAsync(null, "serve", "--data-dir", temp.Combine("data"), "--listen", "localhost:3000");

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("not a host name", result.Error, StringComparison.Ordinal);
        Assert.False(Directory.Exists(temp.Combine("data")));
    }
}
