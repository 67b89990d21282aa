using System.Diagnostics;
using System.Text;

namespace EndToEnd.Tests;

/// <summary>
/// A third-party service the test owns as a child process (HAProxy, Prometheus): started with its arguments, its
/// output collected for the test's report, awaited until it says it is ready, killed on dispose.
/// </summary>
internal sealed class ServiceProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _log = new();

    private ServiceProcess(Process process)
    {
        _process = process;
        _process.ErrorDataReceived += (_, e) => Append(e.Data);
        _process.OutputDataReceived += (_, e) => Append(e.Data);
        _process.BeginErrorReadLine();
        _process.BeginOutputReadLine();
    }

    /// <summary>Everything the service wrote on stdout and stderr so far.</summary>
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

    /// <summary>
    /// Starts <paramref name="executable"/> and polls <paramref name="ready"/> until it answers true; if the service
    /// exits or <paramref name="patience"/> passes first, it is killed and the failure carries its output.
    /// </summary>
    public static async Task<ServiceProcess> StartAsync(string executable, IEnumerable<string> arguments, Func<Task<bool>> ready, TimeSpan patience)
    {
        var info = new ProcessStartInfo(executable)
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        var service = new ServiceProcess(Process.Start(info) ?? throw new InvalidOperationException($"Could not start {executable}"));
        var deadline = DateTime.UtcNow + patience;
        while (!await ready())
        {
            if (service._process.HasExited || DateTime.UtcNow > deadline)
            {
                var log = service.Log;
                await service.DisposeAsync();
                throw new InvalidOperationException($"{Path.GetFileName(executable)} did not become ready within {patience.TotalSeconds:0} s:\n{log}");
            }

            await Task.Delay(50);
        }

        return service;
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

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill();
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
    }
}
