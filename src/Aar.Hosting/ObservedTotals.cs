using System.Collections.Concurrent;
using System.Diagnostics.Metrics;

namespace Aar.Hosting;

/// <summary>
/// Running totals by label set, published as an observable counter. A daemon counts events here rather than with a
/// plain <c>Counter</c> because prometheus-net's adapter turns a counter's increments into a series that is dropped
/// after a day without change and then restarts from zero, which would hide the first event after a quiet day (a scrub
/// finding, a revoked certificate knocking); totals observed on every scrape never expire. The label sets must be
/// bounded (route templates, outcomes), never free text from a request.
/// </summary>
public sealed class ObservedTotals<TKey>
    where TKey : notnull
{
    private readonly ConcurrentDictionary<TKey, Total> _totals = new();
    private readonly Func<TKey, KeyValuePair<string, object?>[]> _tags;

    /// <param name="tags">The labels of a key, computed once per key.</param>
    public ObservedTotals(Func<TKey, KeyValuePair<string, object?>[]> tags) => _tags = tags;

    public void Add(TKey key, long amount = 1)
    {
        var total = _totals.GetOrAdd(key, static (k, tags) => new Total(tags(k)), _tags);
        Interlocked.Add(ref total.Value, amount);
    }

    /// <summary>The value of one key (0 if never counted); for tests and derived gauges.</summary>
    public long this[TKey key] => _totals.TryGetValue(key, out var total) ? Interlocked.Read(ref total.Value) : 0;

    /// <summary>Every label set counted so far, with its total.</summary>
    public IEnumerable<Measurement<long>> Observe() =>
        _totals.Values.Select(total => new Measurement<long>(Interlocked.Read(ref total.Value), total.Tags)).ToArray();

    private sealed class Total(KeyValuePair<string, object?>[] tags)
    {
        public readonly KeyValuePair<string, object?>[] Tags = tags;
        public long Value;
    }
}
