using System.Collections.Concurrent;
using Xunit.Abstractions;

namespace TestSupport;

/// <summary>Test output that also keeps every line, so a test can check what the server logged.</summary>
public sealed class RecordingOutput(ITestOutputHelper inner) : ITestOutputHelper
{
    private readonly ConcurrentQueue<string> _lines = new();

    public IReadOnlyCollection<string> Lines => _lines;

    public void WriteLine(string message)
    {
        _lines.Enqueue(message);
        inner.WriteLine(message);
    }

    public void WriteLine(string format, params object[] args) => WriteLine(string.Format(System.Globalization.CultureInfo.InvariantCulture, format, args));
}
