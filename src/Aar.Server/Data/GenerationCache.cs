using System.Diagnostics;

namespace Aar.Server.Data;

/// <summary>
/// The registry's current generation, kept in memory on a node of a shared database so that a poller's 304 ("nothing
/// new since generation N") costs no database round trip. Every generation bump is announced at commit
/// (<see cref="RegistryDatabase.NextGenerationAsync"/>, <c>NOTIFY aar_generation</c>) and received by the node's
/// change listener (<c>Trust/TrustListener</c>, the same connection and heartbeat the trust store relies on), which
/// calls <see cref="Advance"/>.
/// The bounded-staleness rule is the trust store's: the cached value is used only while the listener is connected and
/// the value is proven to hold every generation committed up to at most <see cref="MaxStaleness"/> ago (by a load, as
/// of the moment it started, or by a heartbeat coming back: PostgreSQL delivers notifications in commit order). Past
/// the bound, or without a listener, the next caller loads it again, so a lost notification is covered.
/// On an embedded database nothing follows it and every caller reads the database (an in-process SQLite read).
/// </summary>
internal sealed class GenerationCache
{
    /// <summary>The oldest a cached generation may be when a poll is answered from it; as <c>TrustStore.MaxStaleness</c>.</summary>
    public static readonly TimeSpan MaxStaleness = TimeSpan.FromSeconds(3);

    private readonly Lock _loadLock = new();
    private Task<long>? _loading;
    private long _value = -1;

    // Stopwatch timestamp: when _loaded equals _changes, _value holds every generation committed before this moment.
    private long _freshAt;

    // _changes is bumped when the listener (re)connects (notifications may have been missed); _loaded is the value of
    // _changes the last load started after.
    private long _changes;
    private long _loaded = -1;
    private volatile bool _following;

    /// <summary>The cached generation when it may answer a poll (see the class comment), else false: load it.</summary>
    public bool TryGetCurrent(out long generation)
    {
        // Freshness first: a heartbeat that moved it forward was delivered after every notification before it.
        generation = Interlocked.Read(ref _value);
        return Stopwatch.GetElapsedTime(Interlocked.Read(ref _freshAt)) <= MaxStaleness
            && _following && Interlocked.Read(ref _loaded) == Interlocked.Read(ref _changes) && generation >= 0;
    }

    /// <summary>
    /// Reads the generation with <paramref name="read"/> and caches it; callers arriving while a load runs share it, so
    /// a stale cache under many pollers costs one query, not one per poll.
    /// </summary>
    public Task<long> LoadAsync(Func<CancellationToken, Task<long>> read, CancellationToken cancellationToken)
    {
        lock (_loadLock)
        {
            if (_loading is { IsCompleted: false } running)
            {
                return running.WaitAsync(cancellationToken);
            }

            // Not the caller's token: the load is shared, and one poller hanging up must not fail the others.
            _loading = LoadOnceAsync(read);
            return _loading.WaitAsync(cancellationToken);
        }
    }

    private async Task<long> LoadOnceAsync(Func<CancellationToken, Task<long>> read)
    {
        // The change count first: a reconnect during the load leaves the value marked as not current.
        var changes = Interlocked.Read(ref _changes);
        var started = Stopwatch.GetTimestamp();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var generation = await read(timeout.Token);
        Advance(generation);
        Interlocked.Exchange(ref _loaded, changes);
        ConfirmFreshAsOf(started);
        return Interlocked.Read(ref _value);
    }

    /// <summary>A committed generation: announced by a notification, committed by this node, or read with a listing.</summary>
    public void Advance(long generation)
    {
        long current;
        while (generation > (current = Interlocked.Read(ref _value)) && Interlocked.CompareExchange(ref _value, generation, current) != current)
        {
            // Another notification or load raced this one; retry against the newer value.
        }
    }

    /// <summary>The listener's heartbeat sent at <paramref name="sentAt"/> came back: every earlier commit was announced.</summary>
    public void ConfirmFreshAsOf(long sentAt)
    {
        long current;
        while (sentAt > (current = Interlocked.Read(ref _freshAt)) && Interlocked.CompareExchange(ref _freshAt, sentAt, current) != current)
        {
            // Another load or heartbeat raced this one; retry against the newer value.
        }
    }

    /// <summary>The listener (re)connected: what was committed before its <c>LISTEN</c> was not announced, so load again.</summary>
    public void Invalidate() => Interlocked.Increment(ref _changes);

    /// <summary>Whether announcements are being received (the listener is connected).</summary>
    public void SetFollowing(bool following) => _following = following;
}
