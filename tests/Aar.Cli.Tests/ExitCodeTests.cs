using System.Net.Sockets;
using System.Text;
using Aar.Cli.Common;
using TestSupport;
using Xunit.Abstractions;

namespace Aar.Cli.Tests;

/// <summary>
/// Every exit code docs/exit-codes.md documents, each reached by the built <c>aar</c> as a real process through a real
/// path (a running registry, a missing one, a daemon that fails), so the table cannot drift from the program.
/// </summary>
public sealed class ExitCodeTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Each_documented_exit_code_comes_from_the_situation_the_table_names()
    {
        await using var server = await RegistryTestServer.StartAsync(output);
        using var temp = new TempDirectory();
        using var client = TestCertificates.Client("exit-codes");
        var crt = temp.Combine("client.crt");
        await File.WriteAllTextAsync(crt, TestCertificates.Pem(client));
        var garbage = temp.Combine("garbage.crt");
        await File.WriteAllTextAsync(garbage, "not a certificate");
        var fingerprint = TestCertificates.FingerprintOf(client);
        string[] at = ["--data-dir", server.DataDirectory];

        var observed = new List<(int Documented, int Actual, string Command)>();
        async Task Expect(int code, string? stdin, params string[] args)
        {
            var result = await AarProcess.RunAsync(stdin, args);
            output.WriteLine($"aar {string.Join(' ', args)} -> {result.ExitCode}: {result.Error.TrimEnd()}");
            observed.Add((code, result.ExitCode, string.Join(' ', args)));
        }

        await Expect(ExitCodes.Ok, null, ["trust", "add", crt, .. at]);
        await Expect(ExitCodes.Ok, null, ["trust", "add", crt, .. at]); // an idempotent repeat
        await Expect(ExitCodes.Usage, null, ["trust", "ad", .. at]);
        await Expect(ExitCodes.Unreachable, null, ["trust", "list", "--data-dir", temp.Path]);
        await Expect(ExitCodes.InvalidInput, null, ["trust", "add", garbage, .. at]);
        await Expect(ExitCodes.NotFound, null, ["trust", "remove", "0123456789abcdef", .. at]);
        await Expect(ExitCodes.Cancelled, "n\n", ["trust", "revoke", fingerprint, .. at]);
        await Expect(ExitCodes.Ok, null, ["trust", "revoke", fingerprint, "--yes", .. at]);
        await Expect(ExitCodes.Ok, null, ["trust", "revoke", fingerprint, "--yes", .. at]); // an idempotent repeat
        await Expect(ExitCodes.Conflict, null, ["trust", "add", crt, .. at]); // a revoked certificate
        using (var failing = FailingDaemon.Start(temp.Combine("failing")))
        {
            await Expect(ExitCodes.Internal, null, ["trust", "list", "--data-dir", temp.Combine("failing")]);
        }

        Assert.All(observed, o => Assert.True(o.Documented == o.Actual, $"aar {o.Command}: exit {o.Actual}, documented {o.Documented}"));
        // Every code of the table was reached.
        Assert.Equal(
            new[] { ExitCodes.Ok, ExitCodes.Usage, ExitCodes.Unreachable, ExitCodes.InvalidInput, ExitCodes.NotFound, ExitCodes.Conflict, ExitCodes.Cancelled, ExitCodes.Internal }.Order(),
            observed.Select(o => o.Actual).Distinct().Order());
    }

    /// <summary>An admin socket whose daemon fails every request with a bare 500, as a broken registry would.</summary>
    private sealed class FailingDaemon : IDisposable
    {
        private readonly Socket _listener;

        private FailingDaemon(Socket listener) => _listener = listener;

        public static FailingDaemon Start(string directory)
        {
            Directory.CreateDirectory(directory);
            var listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            listener.Bind(new UnixDomainSocketEndPoint(Path.Combine(directory, "unix.socket")));
            listener.Listen();
            _ = ServeAsync(listener);
            return new FailingDaemon(listener);
        }

        private static async Task ServeAsync(Socket listener)
        {
            try
            {
                while (true)
                {
                    using var connection = await listener.AcceptAsync();
                    var buffer = new byte[8192];
                    await connection.ReceiveAsync(buffer);
                    await connection.SendAsync(Encoding.ASCII.GetBytes("HTTP/1.1 500 Internal Server Error\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"));
                    connection.Shutdown(SocketShutdown.Both);
                }
            }
            catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
            {
                // Stopped.
            }
        }

        public void Dispose() => _listener.Dispose();
    }
}
