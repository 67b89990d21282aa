using System.Collections.Concurrent;
using System.Data.Common;
using System.Diagnostics;

namespace Aar.Server.Trust;

/// <summary>
/// Following other nodes' trust changes on a shared database, and the in-memory snapshot's reloads. A snapshot is
/// current when the listener is connected, no change was announced since it was loaded, and it is known to hold every
/// change committed up to at most <see cref="MaxStaleness"/> ago.
/// </summary>
internal sealed partial class TrustStore
{
    /// <summary>
    /// The oldest a shared database's snapshot may be when a request is decided on it. Freshness is proven by a reload
    /// (as of the moment it started) or by the listener's heartbeat coming back (<see cref="ConfirmFreshAsOf"/>); past
    /// the bound the request reloads first, and answers 503 if the database cannot be read. So a notification
    /// connection that dies silently (a half-open TCP connection that still looks connected) delays a revocation
    /// by at most this long. 3 s: heartbeats every second leave room for two late ones on a loaded machine before
    /// a request pays for a reload.
    /// </summary>
    public static readonly TimeSpan MaxStaleness = TimeSpan.FromSeconds(3);

    // Stopwatch timestamp (real monotonic time, even when tests fake the clock): the snapshot, when _loaded equals
    // _changes, holds every trust change committed before this moment.
    private long _freshAt = Stopwatch.GetTimestamp();

    // Change counting for a shared database: _changes is bumped for every trust notification (from any node) and
    // when the listener (re)connects; _loaded is the value of _changes the current snapshot was loaded after. Equal
    // means nothing newer is known. _echoed is the highest sequence number of this node's own notifications received back.
    private long _changes;
    private long _loaded;
    private long _echoed;
    private TaskCompletionSource _nextChange = new(TaskCreationOptions.RunContinuationsAsynchronously);

    // Other nodes' confirmations of this node's trust notifications: per node, the highest sequence number it has
    // confirmed. A node handles notifications in order, so confirming one confirms every earlier one.
    private readonly ConcurrentDictionary<string, long> _seenBy = new(StringComparer.Ordinal);

    /// <summary>
    /// How long a trust change waits for its own notification and every other node's confirmation. Longer than
    /// <see cref="MaxStaleness"/>: a node that has not confirmed by then decides its next request on a reload anyway.
    /// </summary>
    public static readonly TimeSpan ConfirmationTimeout = TimeSpan.FromSeconds(5);

    // An embedded database has no other writer, so its snapshot is always current; a shared one is followed only
    // while a listener connection is up.
    private volatile bool _following = !database.IsShared;
    private readonly TaskCompletionSource _firstFollowing = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>False when the snapshot may miss another node's change; then <see cref="RefreshAsync"/> before deciding.</summary>
    public bool IsCurrent =>
        // Freshness is read first: an echo that moved it forward was counted in _changes before it did.
        (!database.IsShared || Stopwatch.GetElapsedTime(Interlocked.Read(ref _freshAt)) <= MaxStaleness)
        && _following && Interlocked.Read(ref _loaded) == Interlocked.Read(ref _changes);

    /// <summary>
    /// For the dashboard's nodes view: whether another node may change trust (a shared database), whether this node
    /// follows those changes, and how long ago the snapshot was last proven to hold every committed change.
    /// </summary>
    public (bool Shared, bool Following, TimeSpan FreshAge) Freshness =>
        (database.IsShared, _following, Stopwatch.GetElapsedTime(Interlocked.Read(ref _freshAt)));

    /// <summary>
    /// The listener's heartbeat sent at <paramref name="sentAt"/> (a <see cref="Stopwatch"/> timestamp) came back.
    /// PostgreSQL delivers notifications in commit order, so every trust change committed before it was sent has
    /// already been counted by <see cref="MarkChanged"/>: a snapshot loaded after those is fresh as of
    /// <paramref name="sentAt"/>.
    /// </summary>
    public void ConfirmFreshAsOf(long sentAt) => AdvanceFreshAt(sentAt);

    private void AdvanceFreshAt(long timestamp)
    {
        long current;
        while (timestamp > (current = Interlocked.Read(ref _freshAt)) && Interlocked.CompareExchange(ref _freshAt, timestamp, current) != current)
        {
            // Another reload or heartbeat raced this one; retry against the newer value.
        }
    }

    /// <summary>
    /// A trust change was committed (announced by NOTIFY): the next request reloads the snapshot.
    /// <paramref name="ownNotice"/> is the sequence number when this node sent the notification itself.
    /// </summary>
    public void MarkChanged(long ownNotice = 0)
    {
        Interlocked.Increment(ref _changes);
        long echoed;
        while (ownNotice > (echoed = Interlocked.Read(ref _echoed)) && Interlocked.CompareExchange(ref _echoed, ownNotice, echoed) != echoed)
        {
            // Another notification raced this one; retry with the newer value.
        }

        Signal();
    }

    /// <summary>Another node confirmed it has received (and acted on) this node's trust notification <paramref name="sequence"/>.</summary>
    public void ConfirmSeenBy(string node, long sequence)
    {
        // Bounded: only a sequence number this node has actually sent can be confirmed, and node ids are fixed-size.
        if (sequence <= 0 || sequence > database.LastTrustNotice)
        {
            return;
        }

        _seenBy.AddOrUpdate(node, sequence, (_, seen) => Math.Max(seen, sequence));
        if (_seenBy.Count > MostConfirmingNodes)
        {
            // Nodes that restarted get new ids; forget those that have not confirmed the latest change.
            foreach (var stale in _seenBy.Where(pair => pair.Value < database.LastTrustNotice))
            {
                _seenBy.TryRemove(stale);
            }
        }

        Signal();
    }

    private const int MostConfirmingNodes = 1024;

    private int ConfirmedCount(long sequence) => _seenBy.Count(pair => pair.Value >= sequence);

    private void Signal() =>
        Interlocked.Exchange(ref _nextChange, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();

    /// <summary>Whether changes from other nodes are being followed (the listener is connected).</summary>
    public void SetFollowing(bool following)
    {
        _following = following;
        if (following)
        {
            _firstFollowing.TrySetResult();
        }
    }

    /// <summary>
    /// Waits (at most <paramref name="timeout"/>) until changes from other nodes are followed, so a node is started
    /// only once a trust change made through it waits for its notification (see <see cref="AwaitEchoAsync"/>).
    /// Until then, or if it times out, every request reloads the snapshot: correct, only slower.
    /// </summary>
    public async Task<bool> WaitUntilFollowingAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        try
        {
            await _firstFollowing.Task.WaitAsync(timeout, cancellationToken);
            return true;
        }
        catch (TimeoutException)
        {
            return false;
        }
    }

    /// <summary>Reloads the snapshot unless another request already did so since the last known change.</summary>
    public async Task RefreshAsync(CancellationToken cancellationToken)
    {
        await _reloadLock.WaitAsync(cancellationToken);
        try
        {
            if (!IsCurrent)
            {
                await LoadLockedAsync(cancellationToken);
            }
        }
        finally
        {
            _reloadLock.Release();
        }
    }

    private async Task ReloadAsync(CancellationToken cancellationToken)
    {
        await _reloadLock.WaitAsync(cancellationToken);
        try
        {
            await LoadLockedAsync(cancellationToken);
        }
        finally
        {
            _reloadLock.Release();
        }
    }

    private async Task LoadLockedAsync(CancellationToken cancellationToken)
    {
        // Read the counter first: a change announced while loading leaves the snapshot marked as not current. The
        // snapshot holds everything committed before the read started, so that is the moment it is fresh as of.
        var changes = Interlocked.Read(ref _changes);
        var started = Stopwatch.GetTimestamp();
        Volatile.Write(ref _snapshot, await database.LoadAsync(cancellationToken));
        Interlocked.Exchange(ref _loaded, changes);
        AdvanceFreshAt(started);
    }

    /// <summary>
    /// After a change through this node on a shared database, waits until this node's listener has received its own
    /// notification back and every other following node has confirmed it received it too (each confirms right after
    /// marking its snapshot outdated). So when the operator's command returns, every node decides its next request on
    /// the change: the ones that confirmed reload first, and one that did not within
    /// <see cref="ConfirmationTimeout"/> (a silent or stopping node) is past <see cref="MaxStaleness"/> by then and
    /// reloads anyway. Waiting for this node's echo alone was not enough: PostgreSQL signals every listener at commit,
    /// but another node may read its signal later than this one (a trust add through node A was still refused by node
    /// B right after it returned, on a loaded machine). Only while following, otherwise no notification is coming.
    /// Trust writes on one node are serialized by <c>_writeLock</c>, so notifications come back in order.
    /// </summary>
    private async Task AwaitEchoAsync(CancellationToken cancellationToken)
    {
        var sent = database.LastTrustNotice;
        if (sent == 0 || !_following)
        {
            return;
        }

        // Real time even when tests fake the clock: this waits for network round trips.
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(ConfirmationTimeout);
        int others;
        try
        {
            others = await database.CountOtherFollowersAsync(timeout.Token);
        }
        catch (Exception ex) when (ex is DbException or TimeoutException || (ex is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            // Unknown: wait the whole timeout unless confirmations keep coming, so the promise above still holds.
            others = int.MaxValue;
        }

        while (_following && (Interlocked.Read(ref _echoed) < sent || ConfirmedCount(sent) < others))
        {
            // Take the signal before re-checking: MarkChanged and ConfirmSeenBy record before they swap the signal.
            var next = Volatile.Read(ref _nextChange);
            if (Interlocked.Read(ref _echoed) >= sent && ConfirmedCount(sent) >= others)
            {
                break;
            }

            try
            {
                await next.Task.WaitAsync(timeout.Token);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                Log.TrustChangeUnconfirmed(logger, ConfirmationTimeout.TotalSeconds, ConfirmedCount(sent), others == int.MaxValue ? "an unknown number of" : others.ToString(System.Globalization.CultureInfo.InvariantCulture));
                break;
            }
        }
    }

    /// <summary>With a shared database, decide a change against the database's state, not a snapshot another node may have outdated.</summary>
    private Task CatchUpAsync(CancellationToken cancellationToken) =>
        database.IsShared ? ReloadAsync(cancellationToken) : Task.CompletedTask;
}
