using System.Collections.Concurrent;
using System.Diagnostics.Metrics;

namespace Aar.Server.Trust;

/// <summary>What one certificate did last, as the dashboard shows it.</summary>
internal sealed record ClientActivityView(DateTimeOffset? LastSeen, long? Generation, DateTimeOffset? RefusedAt, string? Refusal, long Refusals);

/// <summary>
/// When each known client was last seen, the newest generation it last fetched and its last refusal, kept in memory
/// (no database write per request: <see cref="ClientActivityFlusher"/> writes what changed every few seconds and at
/// shutdown, and loads it at start) and published per client, so an operator sees which AMS machines are behind or
/// silent and which revoked ones keep knocking. A client is labelled by its trust-entry name and the first 16 hex
/// digits of its certificate fingerprint (a hash of the public certificate, no key material). Only trusted and revoked
/// certificates are kept: an unknown certificate cannot grow this. Per node: behind a load balancer each node
/// records the clients it served, and the flush keeps the newest of each value.
/// </summary>
internal sealed class ClientActivity(TrustStore trust, TimeProvider time)
{
    public const int FingerprintLabelLength = 16;

    private readonly ConcurrentDictionary<string, Client> _clients = new(StringComparer.Ordinal);

    public void Seen(TrustedCertificate entry)
    {
        var client = Of(entry.Fingerprint);
        Volatile.Write(ref client.LastSeen, time.GetUtcNow().ToUnixTimeMilliseconds() / 1000.0);
        client.Dirty = true;
    }

    /// <summary>The caller received a listing as of <paramref name="generation"/> (an unchanged one too: it is up to date).</summary>
    public void Fetched(string fingerprint, long generation)
    {
        var client = Of(fingerprint);
        long current;
        while (generation > (current = Interlocked.Read(ref client.Generation)) && Interlocked.CompareExchange(ref client.Generation, generation, current) != current)
        {
            // Two listings of one client answered at once; keep the newer generation.
        }

        client.Dirty = true;
    }

    /// <summary>A trusted or revoked certificate was refused (<paramref name="reason"/> is the problem type).</summary>
    public void Refused(string fingerprint, string reason)
    {
        var snapshot = trust.Current;
        if (!snapshot.Trusted.ContainsKey(fingerprint) && !snapshot.Revoked.ContainsKey(fingerprint))
        {
            return;
        }

        var client = Of(fingerprint);
        lock (client)
        {
            client.RefusedAt = time.GetUtcNow();
            client.Refusal = reason;
            client.Refusals++;
            client.Dirty = true;
        }
    }

    public ClientActivityView? View(string fingerprint)
    {
        if (!_clients.TryGetValue(fingerprint, out var client))
        {
            return null;
        }

        lock (client)
        {
            var seen = Volatile.Read(ref client.LastSeen);
            var generation = Interlocked.Read(ref client.Generation);
            return new ClientActivityView(
                seen > 0 ? DateTimeOffset.FromUnixTimeMilliseconds((long)(seen * 1000)) : null,
                generation >= 0 ? generation : null,
                client.RefusedAt,
                client.Refusal,
                client.Refusals);
        }
    }

    /// <summary>Takes the rows changed since the last call (each marked clean); <see cref="Restore"/> puts back a failed batch.</summary>
    public List<(string Fingerprint, ClientActivityView View)> TakeChanged()
    {
        var changed = new List<(string, ClientActivityView)>();
        foreach (var (fingerprint, client) in _clients)
        {
            if (client.Dirty)
            {
                client.Dirty = false;
                changed.Add((fingerprint, View(fingerprint)!));
            }
        }

        return changed;
    }

    /// <summary>Marks rows changed again (their write failed), so the next flush retries them.</summary>
    public void Restore(IEnumerable<string> fingerprints)
    {
        foreach (var fingerprint in fingerprints)
        {
            if (_clients.TryGetValue(fingerprint, out var client))
            {
                client.Dirty = true;
            }
        }
    }

    /// <summary>Activity read back from the database at start; what this process saw since wins.</summary>
    public void Load(string fingerprint, ClientActivityView stored)
    {
        var client = Of(fingerprint);
        lock (client)
        {
            if (stored.LastSeen is { } seen && Volatile.Read(ref client.LastSeen) <= 0)
            {
                Volatile.Write(ref client.LastSeen, seen.ToUnixTimeMilliseconds() / 1000.0);
            }

            if (stored.Generation is { } generation && Interlocked.Read(ref client.Generation) < generation)
            {
                Interlocked.Exchange(ref client.Generation, generation);
            }

            if (client.RefusedAt is null)
            {
                (client.RefusedAt, client.Refusal, client.Refusals) = (stored.RefusedAt, stored.Refusal, stored.Refusals);
            }
        }
    }

    public IEnumerable<Measurement<double>> ObserveLastSeen() =>
        Observe(client => Volatile.Read(ref client.LastSeen) is var seen and > 0 ? seen : null);

    public IEnumerable<Measurement<double>> ObserveGeneration() =>
        Observe(client => Interlocked.Read(ref client.Generation) is var generation and >= 0 ? generation : null);

    private List<Measurement<double>> Observe(Func<Client, double?> value)
    {
        var snapshot = trust.Current;
        var measurements = new List<Measurement<double>>();
        foreach (var (fingerprint, client) in _clients)
        {
            if (!snapshot.Trusted.TryGetValue(fingerprint, out var entry))
            {
                // Removed: forget it. Revoked: kept for the dashboard (it may keep knocking), but not a client any more.
                if (!snapshot.Revoked.ContainsKey(fingerprint))
                {
                    _clients.TryRemove(fingerprint, out _);
                }

                continue;
            }

            if (value(client) is { } observed)
            {
                measurements.Add(new Measurement<double>(observed, new KeyValuePair<string, object?>("client", entry.Name), new KeyValuePair<string, object?>("fingerprint", fingerprint[..FingerprintLabelLength])));
            }
        }

        return measurements;
    }

    private Client Of(string fingerprint) => _clients.GetOrAdd(fingerprint, static _ => new Client());

    private sealed class Client
    {
        public double LastSeen;
        public long Generation = -1;
        public volatile bool Dirty;
        public DateTimeOffset? RefusedAt;
        public string? Refusal;
        public long Refusals;
    }
}
