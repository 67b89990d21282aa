namespace Aar.Server.Signing;

/// <summary>
/// Signed listings of the current generation, kept as the bytes sent. After a publish a whole fleet asks for the same
/// new listing within one update interval; without this each of them cost a listing query, a serialization and a
/// signature, and a 36 MB listing about 100 MB of transient memory per request. Concurrent requests for the same
/// listing share one signing (the first starts it, the others await it).
/// </summary>
/// <remarks>
/// Bounds: an envelope is served for at most <see cref="MaxAge"/> after it was signed (a client then holds a listing
/// with at least the validity minus that left, and <c>issued_at</c> stays recent); a new generation drops every
/// envelope of older ones; at most <see cref="Capacity"/> envelopes (queries by architecture and tags), and beyond
/// <see cref="MaxBytes"/> only the newest is kept.
/// </remarks>
internal sealed class SignedListingCache(SigningOptions options, TimeProvider time)
{
    public const int Capacity = 4;

    public const long MaxBytes = 64L * 1024 * 1024;

    private readonly Lock _lock = new();
    private readonly List<Entry> _entries = [];

    /// <summary>One minute, or a fifth of the validity when that is shorter.</summary>
    public TimeSpan MaxAge { get; } = TimeSpan.FromTicks(Math.Min(TimeSpan.FromMinutes(1).Ticks, options.ListingValidity.Ticks / 5));

    /// <summary>
    /// The envelope for <paramref name="key"/>: a fresh cached one, or the result of <paramref name="sign"/> (which
    /// returns null for a listing that could not be built; that is not kept).
    /// </summary>
    public async Task<SignedListing?> GetOrSignAsync(ListingKey key, Func<Task<SignedListing?>> sign)
    {
        Task<SignedListing?> task;
        lock (_lock)
        {
            var now = time.GetUtcNow();
            _entries.RemoveAll(e => e.Key.Generation < key.Generation || (e.Signing.IsCompletedSuccessfully && e.Signing.Result is { } done && now - done.IssuedAt >= MaxAge));
            if (_entries.Find(e => e.Key == key) is { } found)
            {
                task = found.Signing;
            }
            else
            {
                task = sign();
                _entries.Add(new Entry(key, task));
                while (_entries.Count > Capacity)
                {
                    _entries.RemoveAt(0);
                }
            }
        }

        var result = await task.ConfigureAwait(false);
        lock (_lock)
        {
            if (result is not { Reusable: true })
            {
                _entries.RemoveAll(e => e.Signing == task);
            }
            else
            {
                // Oldest first out until the kept bytes fit (the one just signed always stays).
                while (_entries.Count > 1 && _entries.Where(e => e.Signing.IsCompletedSuccessfully).Sum(e => (long?)e.Signing.Result?.Envelope.Length ?? 0) > MaxBytes && _entries[0].Signing != task)
                {
                    _entries.RemoveAt(0);
                }
            }
        }

        return result;
    }

    private sealed record Entry(ListingKey Key, Task<SignedListing?> Signing);
}

/// <summary>Which listing: the generation it was asked at, the query, and the key that signs it.</summary>
internal sealed record ListingKey(long Generation, string? Architecture, string? Tags, string KeyId);

/// <summary>
/// A signed listing as sent: the envelope's UTF-8 JSON, the generation inside, and when it was signed. Not
/// <paramref name="Reusable"/> when building it has a side effect a later request must repeat: a listing that flags a
/// version <c>blob_missing</c> is where the flag is released once the blob is back (ApplicationCatalog), so serving
/// it again from memory would keep asking the publisher for a blob it already re-sent.
/// </summary>
internal sealed record SignedListing(ReadOnlyMemory<byte> Envelope, long Generation, DateTimeOffset IssuedAt, bool Reusable);
