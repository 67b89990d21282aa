using Aar.Protocol.Management;

namespace Ams.Daemon.Sync;

/// <summary>
/// The live picture behind <c>amc registry status</c>: the last pass, the next one, and transfers in flight. Also lets
/// a caller wait for the first pass that finishes after it asked (<c>amc registry sync --wait</c>).
/// </summary>
internal sealed class SyncStatusTracker(TimeProvider time)
{
    /// <summary>
    /// A transfer with no new bytes for this long is shown as stalled. Progress is reported once per 1 MiB batch,
    /// so on a link slower than 1 MiB in 10 s a healthy transfer may show as stalled for a moment.
    /// </summary>
    public static readonly TimeSpan StalledAfter = TimeSpan.FromSeconds(10);

    private readonly Lock _lock = new();
    private readonly Dictionary<(string, int, string), Transfer> _transfers = [];
    private readonly List<(long After, TaskCompletionSource<SyncPassReport> Done)> _waiters = [];
    private long _passes;

    public SyncPassReport? LastPass { get; private set; }

    public DateTimeOffset? NextPassAt { get; set; }

    public bool Running { get; private set; }

    public long StartPass()
    {
        lock (_lock)
        {
            Running = true;
            return ++_passes;
        }
    }

    public void FinishPass(SyncPassReport report)
    {
        List<TaskCompletionSource<SyncPassReport>> done;
        lock (_lock)
        {
            Running = false;
            LastPass = report;
            done = _waiters.Where(w => report.Number > w.After).Select(w => w.Done).ToList();
            _waiters.RemoveAll(w => report.Number > w.After);
        }

        done.ForEach(d => d.TrySetResult(report));
    }

    /// <summary>Completes with the first pass that starts after this call.</summary>
    public Task<SyncPassReport> NextReportAsync(CancellationToken cancellationToken)
    {
        var done = new TaskCompletionSource<SyncPassReport>(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_lock)
        {
            // A pass running now started before the request: wait for the one after it.
            _waiters.Add((_passes, done));
        }

        return done.Task.WaitAsync(cancellationToken);
    }

    /// <summary>The last download by difference (<c>amc registry status</c>'s last_delta).</summary>
    public DeltaDownloadInfo? LastDelta { get; private set; }

    public void RecordDelta(string application, int version, long fetched, long reused) =>
        LastDelta = new DeltaDownloadInfo { Application = application, Version = version, Fetched = fetched, Reused = reused, FinishedAt = time.GetUtcNow() };

    public IProgress<long> Track(string application, int version, string direction, long total)
    {
        var transfer = new Transfer(application, version, direction, total, time.GetUtcNow());
        lock (_lock)
        {
            _transfers[(application, version, direction)] = transfer;
        }

        return new Progress(transfer, time);
    }

    /// <summary>Where a tracked transfer reports the bytes it did not have to move (a delta upload's copied bytes).</summary>
    public static IProgress<long> SavedOf(IProgress<long> tracked) => new Saved(((Progress)tracked).Transfer);

    public void Untrack(string application, int version, string direction)
    {
        lock (_lock)
        {
            _transfers.Remove((application, version, direction));
        }
    }

    public IReadOnlyList<TransferInfo> Transfers()
    {
        var now = time.GetUtcNow();
        lock (_lock)
        {
            return _transfers.Values.Select(t => t.ToInfo(now)).ToList();
        }
    }

    private sealed class Transfer(string application, int version, string direction, long total, DateTimeOffset startedAt)
    {
        public long Bytes;

        public long SavedBytes;

        /// <summary>When bytes last moved (ticks of <see cref="DateTimeOffset.UtcTicks"/>); the start until then.</summary>
        public long LastProgressTicks = startedAt.UtcTicks;

        public TransferInfo ToInfo(DateTimeOffset now)
        {
            var bytes = Volatile.Read(ref Bytes);
            var idle = now - new DateTimeOffset(Volatile.Read(ref LastProgressTicks), TimeSpan.Zero);
            var seconds = (now - startedAt).TotalSeconds;
            var rate = seconds > 0 ? bytes / seconds : 0;
            return new TransferInfo
            {
                Application = application,
                Version = version,
                Direction = direction,
                Bytes = bytes,
                Total = total,
                SavedBytes = Volatile.Read(ref SavedBytes) is > 0 and var saved ? saved : null,
                StartedAt = startedAt,
                BytesPerSecond = Math.Round(rate),
                EtaSeconds = rate > 0 ? Math.Round((total - bytes) / rate, 1) : null,
                StalledSeconds = idle >= StalledAfter ? Math.Floor(idle.TotalSeconds) : null,
            };
        }
    }

    private sealed class Saved(Transfer transfer) : IProgress<long>
    {
        public void Report(long value) => Volatile.Write(ref transfer.SavedBytes, value);
    }

    private sealed class Progress(Transfer transfer, TimeProvider time) : IProgress<long>
    {
        public Transfer Transfer => transfer;

        public void Report(long value)
        {
            Volatile.Write(ref transfer.Bytes, value);
            Volatile.Write(ref transfer.LastProgressTicks, time.GetUtcNow().UtcTicks);
        }
    }
}
