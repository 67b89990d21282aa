using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace TestSupport;

/// <summary>
/// A built executable (next to the test assembly) run as a real child process, for behaviour that is about processes:
/// signals, kill -9, exit codes, what reaches stderr. Killed on dispose if still running.
/// </summary>
public sealed class ChildProcess : IDisposable
{
    public const int SigKill = 9;
    public const int SigTerm = 15;

    private readonly Process _process;
    private readonly StringBuilder _stderr = new();
    private readonly StringBuilder _stdout = new();

    private ChildProcess(Process process)
    {
        _process = process;
        _process.ErrorDataReceived += (_, e) => { lock (_stderr) { _stderr.AppendLine(e.Data); } };
        _process.OutputDataReceived += (_, e) => { lock (_stdout) { _stdout.AppendLine(e.Data); } };
        _process.BeginErrorReadLine();
        _process.BeginOutputReadLine();
    }

    public int Id => _process.Id;

    public string Stdout
    {
        get
        {
            lock (_stdout)
            {
                return _stdout.ToString();
            }
        }
    }

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

    /// <summary>Starts <paramref name="executable"/> (a file name in the test's output directory) with <paramref name="args"/>.</summary>
    public static ChildProcess Start(string executable, params string[] args) => Start(executable, new Dictionary<string, string>(), args);

    /// <summary>Like <see cref="Start(string, string[])"/>, with extra environment variables for the child.</summary>
    public static ChildProcess Start(string executable, IReadOnlyDictionary<string, string> environment, params string[] args)
    {
        var info = new ProcessStartInfo(Path.Combine(AppContext.BaseDirectory, executable))
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var (name, value) in environment)
        {
            info.Environment[name] = value;
        }

        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        return new ChildProcess(Process.Start(info)!);
    }

    /// <summary>Starts <paramref name="executable"/> under the file-creation mask <paramref name="umask"/> (octal, e.g. <c>000</c>), via <c>/bin/sh</c>.</summary>
    public static ChildProcess StartWithUmask(string umask, string executable, params string[] args)
    {
        var info = new ProcessStartInfo("/bin/sh")
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add("-c");
        info.ArgumentList.Add($"umask {umask} && exec \"$0\" \"$@\"");
        info.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, executable));
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        return new ChildProcess(Process.Start(info)!);
    }

    /// <summary>
    /// Starts <paramref name="executable"/> the way systemd starts a <c>Type=notify</c> unit, as far as the program can
    /// tell: Microsoft.Extensions.Hosting.Systemd takes a process whose parent is named <c>systemd</c> for a service,
    /// so the parent is a copy of <c>/bin/sh</c> named so (in <paramref name="directory"/>), and <c>NOTIFY_SOCKET</c>
    /// names <paramref name="notifySocket"/>. The shell passes SIGTERM on to the program and exits with its code.
    /// </summary>
    public static ChildProcess StartUnderSystemdParent(string directory, string notifySocket, string executable, params string[] args) =>
        StartUnderSystemd(directory, notifySocket, journal: false, executable, args);

    /// <summary>
    /// Like <see cref="StartUnderSystemdParent"/>, with stderr taken for the journal's stream as systemd marks it:
    /// <c>JOURNAL_STREAM</c> is set to the device and inode of the program's stderr (here the test's pipe, not a
    /// journal socket; the program compares the two, as systemd documents).
    /// </summary>
    public static ChildProcess StartUnderSystemdJournal(string directory, string notifySocket, string executable, params string[] args) =>
        StartUnderSystemd(directory, notifySocket, journal: true, executable, args);

    private static ChildProcess StartUnderSystemd(string directory, string notifySocket, bool journal, string executable, string[] args)
    {
        var parent = Path.Combine(directory, "systemd");
        File.Copy("/bin/sh", parent, overwrite: true);
        var info = new ProcessStartInfo(parent)
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        info.Environment["NOTIFY_SOCKET"] = notifySocket;
        info.ArgumentList.Add("-c");
        var journalStream = journal ? "export JOURNAL_STREAM=$(stat -L -c %d:%i /proc/self/fd/2); " : "";
        info.ArgumentList.Add(journalStream + "\"$0\" \"$@\" & child=$!; trap 'kill -TERM $child; wait $child; exit $?' TERM; wait $child");
        info.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, executable));
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        return new ChildProcess(Process.Start(info)!);
    }

    /// <summary>Runs <paramref name="executable"/> to completion with <paramref name="stdin"/> piped in, as a shell pipeline would.</summary>
    public static async Task<(int ExitCode, string Out, string Error)> RunAsync(string executable, string? stdin, params string[] args)
    {
        using var process = Start(executable, args);
        if (stdin is not null)
        {
            await process._process.StandardInput.WriteAsync(stdin);
        }

        process._process.StandardInput.Close();
        var exit = await process.WaitForExitAsync(TimeSpan.FromSeconds(60));
        // WaitForExitAsync also waits for the redirected streams to reach end of file.
        return (exit, process.Stdout, process.Stderr);
    }

    /// <summary>A TCP port that was free a moment ago on 127.0.0.1.</summary>
    public static int FreePort()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>Waits until <paramref name="file"/> exists and stderr contains <paramref name="marker"/>.</summary>
    public async Task WaitUntilReadyAsync(string file, string marker, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"{_process.StartInfo.FileName} exited with {_process.ExitCode}: {Stderr}");
            }

            if (File.Exists(file) && Stderr.Contains(marker, StringComparison.Ordinal))
            {
                return;
            }

            await Task.Delay(50);
        }

        throw new TimeoutException($"{_process.StartInfo.FileName} did not become ready within {timeout}: {Stderr}");
    }

    public void Signal(int signal)
    {
        using var kill = Process.Start("kill", [$"-{signal}", _process.Id.ToString(CultureInfo.InvariantCulture)]);
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
}
