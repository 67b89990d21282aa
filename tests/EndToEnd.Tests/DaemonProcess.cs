using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace EndToEnd.Tests;

/// <summary>
/// One run of <c>aar serve</c> or <c>ams serve</c> as a real child process: started, waited for until it listens, and
/// stopped the way an operator or a crash would (SIGTERM, or kill -9). Its stderr (the daemon's log) is kept.
/// </summary>
internal sealed class DaemonProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _log = new();
    private bool _disposed;

    private DaemonProcess(Process process)
    {
        _process = process;
        _process.ErrorDataReceived += (_, e) => Append(e.Data);
        _process.OutputDataReceived += (_, e) => Append(e.Data);
        _process.BeginErrorReadLine();
        _process.BeginOutputReadLine();
    }

    public int Id => _process.Id;

    public bool HasExited => _process.HasExited;

    public string Log
    {
        get
        {
            lock (_log)
            {
                return _log.ToString();
            }
        }
    }

    /// <summary>Starts the daemon and returns once <paramref name="socket"/> exists and the log says <paramref name="ready"/>.</summary>
    public static async Task<DaemonProcess> StartAsync(string executable, IReadOnlyList<string> args, string socket, string ready, IReadOnlyDictionary<string, string>? environment = null)
    {
        var info = new ProcessStartInfo(Path.Combine(AppContext.BaseDirectory, executable))
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            info.Environment[name] = value;
        }

        var daemon = new DaemonProcess(Process.Start(info) ?? throw new InvalidOperationException($"Could not start {executable}"));
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (!(File.Exists(socket) && daemon.Log.Contains(ready, StringComparison.Ordinal)))
        {
            if (daemon.HasExited || DateTime.UtcNow > deadline)
            {
                var log = daemon.Log;
                await daemon.DisposeAsync();
                throw new InvalidOperationException($"{executable} {string.Join(' ', args)} did not start:\n{log}");
            }

            await Task.Delay(50);
        }

        return daemon;
    }

    /// <summary>kill -9: no shutdown code runs, as in a power cut or an OOM kill.</summary>
    public async Task KillAsync()
    {
        Signal("KILL");
        await _process.WaitForExitAsync();
    }

    /// <summary>
    /// SIGTERM, as a service manager stops it; kill -9 if it has not exited after <paramref name="patience"/> (default 15 s).
    /// Returns the exit code, or null when it had to be killed.
    /// </summary>
    public async Task<int?> StopAsync(TimeSpan? patience = null)
    {
        if (_process.HasExited)
        {
            return _process.ExitCode;
        }

        Signal("TERM");
        using var timeout = new CancellationTokenSource(patience ?? TimeSpan.FromSeconds(15));
        try
        {
            await _process.WaitForExitAsync(timeout.Token);
            return _process.ExitCode;
        }
        catch (OperationCanceledException)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
            return null;
        }
    }

    public async ValueTask DisposeAsync()
    {
        // Idempotent: a registry adopted by a scale-out cluster is disposed by the cluster and by its site.
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        await StopAsync();
        _process.Dispose();
    }

    private void Signal(string signal)
    {
        using var kill = Process.Start("kill", [$"-{signal}", _process.Id.ToString(CultureInfo.InvariantCulture)])!;
        kill.WaitForExit();
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_log)
        {
            _log.AppendLine(line);
        }
    }
}
