using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Aar.Cli.Tests;

/// <summary>
/// The built <c>aar</c> executable run as a real child process: for behaviour that is about processes (signals,
/// kill -9, exit codes, what reaches stderr).
/// </summary>
internal sealed class AarProcess : IDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _stderr = new();
    private readonly StringBuilder _stdout = new();

    private AarProcess(Process process)
    {
        _process = process;
        _process.ErrorDataReceived += (_, e) => { lock (_stderr) { _stderr.AppendLine(e.Data); } };
        _process.OutputDataReceived += (_, e) => { lock (_stdout) { _stdout.AppendLine(e.Data); } };
        _process.BeginErrorReadLine();
        _process.BeginOutputReadLine();
    }

    public static string Executable => Path.Combine(AppContext.BaseDirectory, "aar");

    public int Id => _process.Id;

    public string Stderr
    {
        get
        {
            lock (_stderr)
            {
                return _stderr.ToString();
            }
        }
    }

    public static AarProcess Start(params string[] args)
    {
        var info = new ProcessStartInfo(Executable)
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        return new AarProcess(Process.Start(info)!);
    }

    /// <summary>Runs <c>aar</c> to completion with <paramref name="stdin"/> piped in, as a shell pipeline would.</summary>
    public static async Task<CliResult> RunAsync(string? stdin, params string[] args)
    {
        using var process = Start(args);
        if (stdin is not null)
        {
            await process._process.StandardInput.WriteAsync(stdin);
        }

        process._process.StandardInput.Close();
        var exit = await process.WaitForExitAsync(TimeSpan.FromSeconds(30));
        return new CliResult(exit, process._stdout.ToString(), process.Stderr);
    }

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public async Task WaitUntilReadyAsync(string socketPath, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"aar exited with {_process.ExitCode}: {Stderr}");
            }

            if (File.Exists(socketPath) && Stderr.Contains("Registry listening on", StringComparison.Ordinal))
            {
                return;
            }

            await Task.Delay(50);
        }

        throw new TimeoutException($"aar did not start within {timeout}: {Stderr}");
    }

    public void Signal(int signal)
    {
        using var kill = Process.Start("kill", [$"-{signal}", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        kill.WaitForExit();
        if (kill.ExitCode != 0)
        {
            throw new InvalidOperationException($"kill -{signal} {_process.Id} failed with {kill.ExitCode}");
        }
    }

    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        using var cancellation = new CancellationTokenSource(timeout);
        await _process.WaitForExitAsync(cancellation.Token);
        return _process.ExitCode;
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit();
        }

        _process.Dispose();
    }

    public const int SigKill = 9;
    public const int SigTerm = 15;
}
