using Aar.Server.Storage;
using Aar.Server.Storage.Hashing;
using TestSupport;

namespace Aar.Server.Tests;

/// <summary>The upload copy loop when the client leaves at the worst moment: between a batch and its checkpoint.</summary>
public sealed class StreamIngestTests
{
    [Fact]
    public async Task A_client_that_leaves_just_before_a_checkpoint_still_gets_its_bytes_recorded_and_the_copy_reports_the_break()
    {
        using var temp = new TempDirectory();
        const int interval = StreamIngest.BatchSize * 4;
        using var request = new CancellationTokenSource();
        // Cancels the request's token as soon as it has handed out one checkpoint's worth, as Kestrel does when the
        // connection drops while the server is busy with the fsync before a checkpoint.
        var body = new LeavingStream(interval, request);
        using var hash = ResumableSha256.Create();
        var checkpoints = new List<(long Offset, bool Cancelled)>();
        using var file = File.OpenHandle(temp.Combine("upload"), FileMode.CreateNew, FileAccess.Write);

        var result = await StreamIngest.CopyAsync(body, file, 0, interval * 2L, hash, interval,
            (written, token) =>
            {
                checkpoints.Add((written, token.IsCancellationRequested));
                token.ThrowIfCancellationRequested();
                return Task.CompletedTask;
            },
            request.Token);

        Assert.Equal([(interval, false)], checkpoints);
        Assert.Equal((interval, IngestEnd.Failed), (result.Written, result.End));
        Assert.IsAssignableFrom<OperationCanceledException>(result.Error);
        Assert.Equal(interval, new FileInfo(temp.Combine("upload")).Length);
    }

    private sealed class LeavingStream(long leaveAfter, CancellationTokenSource request) : Stream
    {
        private long _position;

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => _position; set => throw new NotSupportedException(); }

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var count = (int)Math.Min(buffer.Length, 4096);
            buffer.Span[..count].Fill(0x5a);
            _position += count;
            if (_position >= leaveAfter)
            {
                request.Cancel();
            }

            return ValueTask.FromResult(count);
        }

        public override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
