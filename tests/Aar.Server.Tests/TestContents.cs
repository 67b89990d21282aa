using System.Net;

namespace Aar.Server.Tests;

/// <summary>Sends the first bytes of a body, then fails: the connection breaks mid-request.</summary>
internal sealed class BreakingContent(byte[] bytes, int breakAfter) : HttpContent
{
    protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context)
    {
        await stream.WriteAsync(bytes.AsMemory(0, breakAfter));
        await stream.FlushAsync();
        await Task.Delay(300);
        throw new IOException("Simulated network cut.");
    }

    protected override bool TryComputeLength(out long length)
    {
        length = bytes.Length;
        return true;
    }
}

/// <summary>Sends part of a body, then waits for a signal before sending the rest.</summary>
internal sealed class StallingContent(byte[] bytes, int stallAfter, Task resume) : HttpContent
{
    private readonly TaskCompletionSource _stalled = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public Task Stalled => _stalled.Task;

    protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context)
    {
        await stream.WriteAsync(bytes.AsMemory(0, stallAfter));
        await stream.FlushAsync();
        _stalled.SetResult();
        await resume;
        await stream.WriteAsync(bytes.AsMemory(stallAfter));
    }

    protected override bool TryComputeLength(out long length)
    {
        length = bytes.Length;
        return true;
    }
}
