using System.Globalization;

namespace Fleet;

/// <summary>CPU seconds and memory of the registry processes, from /proc (as bench/lib.sh reads them).</summary>
internal sealed class ServerProcess(IReadOnlyList<int> pids)
{
    private static readonly double TicksPerSecond = 100; // CLK_TCK on Linux

    public double CpuSeconds() => pids.Sum(pid =>
    {
        var stat = File.ReadAllText($"/proc/{pid}/stat");
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        return (long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture)) / TicksPerSecond;
    });

    /// <summary>The largest of the processes' VmRSS (now) or VmHWM (peak), in MiB.</summary>
    public double MaxMiB(string field) => pids.Max(pid =>
        File.ReadLines($"/proc/{pid}/status").Where(l => l.StartsWith(field + ":", StringComparison.Ordinal))
            .Select(l => long.Parse(l.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) / 1024.0).First());
}
