using System.Collections.Concurrent;
using System.Security.Cryptography;
using Aar.Protocol.Registry;
using Aar.Server.Problems;
using Aar.Server.Storage;
using Aar.Server.Storage.Hashing;
using Aar.Server.Storage.S3;
using Aar.Server.Uploads;
using Amazon.S3.Model;

namespace Aar.Server.Tests.S3;

/// <summary>
/// An S3 session chunk uploads <see cref="S3UploadStaging.PartsInFlight"/> parts at once, and the session's durable
/// offset must still only ever cover parts stored in order: a part that finished before the one ahead of it is not
/// counted until that one is, and never when it fails. The store is scripted here so the order of completions is the
/// test's; the same staging runs against radosgw in <see cref="S3UploadTests"/>.
/// </summary>
public sealed class S3PartsInFlightTests
{
    private const int PartSize = 64 * 1024;

    [Fact]
    public async Task Two_parts_go_up_at_once_and_a_later_one_finishing_first_is_recorded_only_after_the_earlier()
    {
        var (store, bytes, checkpoints, appending) = Append(4 * PartSize + 100);

        await store.WaitStartedAsync(1, 2);
        await Task.Delay(200);
        Assert.Equal(2, store.Active);
        Assert.False(store.Started(3), "a third part went up while two were in flight");

        store.Release(2);
        await Task.Delay(200);
        Assert.Empty(checkpoints);

        store.Release(1);
        await store.WaitStartedAsync(3, 4);
        store.Release(3);
        store.Release(4);
        var result = await appending;

        Assert.Equal(IngestEnd.Completed, result.End);
        Assert.Equal(bytes.Length, result.Written);
        Assert.Equal(new long[] { PartSize, 2L * PartSize, 3L * PartSize, 4L * PartSize, bytes.Length }, checkpoints.Select(c => c.Received));
        Assert.Equal(["etag-1", "etag-2", "etag-3", "etag-4"], checkpoints.Last().State.Parts);
        Assert.NotNull(checkpoints.Last().State.Tail);
        Assert.Equal(2, store.MostActive);
        // Each recorded hash state belongs to exactly the bytes its offset covers, whatever order the parts ended in.
        foreach (var (received, _, hash) in checkpoints)
        {
            using var restored = ResumableSha256.Import(hash, received)!;
            Assert.Equal(SHA256.HashData(bytes.AsSpan(0, (int)received)), restored.Finish());
        }
    }

    [Fact]
    public async Task A_failed_part_counts_nothing_from_it_on_even_when_the_part_after_it_was_stored()
    {
        var (store, _, checkpoints, appending) = Append(3 * PartSize);

        await store.WaitStartedAsync(1, 2);
        store.Release(2);
        await Task.Delay(100);
        store.Fail(1);

        await Assert.ThrowsAsync<StorageUnavailableException>(() => appending);
        Assert.Empty(checkpoints);
    }

    [Fact]
    public async Task A_part_failing_after_earlier_ones_were_recorded_leaves_the_offset_at_them()
    {
        var (store, _, checkpoints, appending) = Append(4 * PartSize);

        await store.WaitStartedAsync(1, 2);
        store.Release(1);
        await store.WaitStartedAsync(3);
        store.Release(3);
        store.Fail(2);

        await Assert.ThrowsAsync<StorageUnavailableException>(() => appending);
        Assert.Equal([(long)PartSize], checkpoints.Select(c => c.Received));
        Assert.Equal(["etag-1"], checkpoints.Single().State.Parts);
    }

    /// <summary>Appends <paramref name="length"/> random bytes to a new session on a scripted store, recording each checkpoint.</summary>
    private static (ScriptedParts Store, byte[] Bytes, ConcurrentQueue<(long Received, S3StagingState State, byte[]? Hash)> Checkpoints, Task<IngestResult> Appending) Append(int length)
    {
        var store = new ScriptedParts();
        var bytes = RandomNumberGenerator.GetBytes(length);
        var checkpoints = new ConcurrentQueue<(long Received, S3StagingState State, byte[]? Hash)>();
        var staging = new S3UploadStaging(store);
        var state = new S3StagingState { UploadId = "upload", Key = "blobs/sha256/x", PartSize = PartSize };
        var row = new UploadRow("session", "publisher", 0, DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch, null, state.ToJson());
        var hash = ResumableSha256.Create();
        var appending = Task.Run(() => staging.AppendAsync(row, new Chunk(null, bytes.Length, new MemoryStream(bytes)), hash, (received, json, hashState, _) =>
        {
            checkpoints.Enqueue((received, S3StagingState.Parse(json), hashState));
            return Task.CompletedTask;
        }, CancellationToken.None));
        return (store, bytes, checkpoints, appending);
    }

    /// <summary>Parts that end when the test says, and the rest of the store as a no-op.</summary>
    private sealed class ScriptedParts : IS3MultipartStaging
    {
        private readonly ConcurrentDictionary<int, TaskCompletionSource> _parts = new();
        private readonly ConcurrentDictionary<int, TaskCompletionSource> _started = new();
        private int _active;
        private int _mostActive;

        public int Active => Volatile.Read(ref _active);

        public int MostActive => Volatile.Read(ref _mostActive);

        public long PartSize => S3PartsInFlightTests.PartSize;

        public bool Started(int number) => StartedSignal(number).Task.IsCompleted;

        public Task WaitStartedAsync(params int[] numbers) =>
            Task.WhenAll(numbers.Select(n => StartedSignal(n).Task)).WaitAsync(TimeSpan.FromSeconds(10));

        public void Release(int number) => Part(number).SetResult();

        public void Fail(int number) => Part(number).SetException(new StorageUnavailableException($"part {number} refused"));

        public async Task<string> UploadPartAsync(string key, string uploadId, int number, ReadOnlyMemory<byte> bytes, CancellationToken cancellationToken)
        {
            var now = Interlocked.Increment(ref _active);
            InterlockedMax(ref _mostActive, now);
            StartedSignal(number).TrySetResult();
            try
            {
                await Part(number).Task;
                return "etag-" + number;
            }
            finally
            {
                Interlocked.Decrement(ref _active);
            }
        }

        public string BlobKey(BlobDigest digest) => "blobs/sha256/" + digest.Hex;

        public string SessionPrefix(string id) => "uploads/" + id + "/";

        public Task PutObjectAsync(string key, byte[] buffer, int count, CancellationToken cancellationToken) => Task.CompletedTask;

        public Task DeleteAsync(string key, CancellationToken cancellationToken) => Task.CompletedTask;

        public Task<string> StartMultipartAsync(string key, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<string> CopyPartAsync(string sourceKey, string key, string uploadId, int number, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task CompleteAsync(string key, string uploadId, List<PartETag> parts, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task AbortMultipartAsync(string key, string uploadId, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<Stream> OpenRangeAsync(string key, long offset, long length, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<(long Size, DateTimeOffset Modified)?> HeadAsync(string key, CancellationToken cancellationToken) => throw new NotSupportedException();

        public IAsyncEnumerable<string> ListKeysAsync(string prefix, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<BlobPutResult> CommitStagedAsync(string sourceKey, BlobDigest digest, long size, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<BlobPutResult> PutAsync(Stream content, BlobDigest expected, long size, CancellationToken cancellationToken) => throw new NotSupportedException();

        private TaskCompletionSource Part(int number) => _parts.GetOrAdd(number, static _ => new(TaskCreationOptions.RunContinuationsAsynchronously));

        private TaskCompletionSource StartedSignal(int number) => _started.GetOrAdd(number, static _ => new(TaskCreationOptions.RunContinuationsAsynchronously));

        private static void InterlockedMax(ref int target, int value)
        {
            int seen;
            while ((seen = Volatile.Read(ref target)) < value && Interlocked.CompareExchange(ref target, value, seen) != seen)
            {
            }
        }
    }
}
