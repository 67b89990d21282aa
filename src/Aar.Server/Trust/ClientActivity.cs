using System.Collections.Concurrent;
using System.Diagnostics.Metrics;

namespace Aar.Server.Trust;

/// <summary>
/// When each trusted client was last seen and the newest generation it last fetched, kept in memory (no database
/// write per request) and published per client, so an operator sees which AMS machines are behind or silent. A
/// client is labelled by its trust-entry name and the first 16 hex digits of its certificate fingerprint (a hash of
/// the public certificate, no key material); clients no longer trusted are dropped. Per node: behind a load balancer
/// each node reports the clients it served.
/// </summary>
internal sealed class ClientActivity(TrustStore trust, TimeProvider time)
{
    public const int FingerprintLabelLength = 16;

    private readonly ConcurrentDictionary<string, Client> _clients = new(StringComparer.Ordinal);

    public void Seen(TrustedCertificate entry) =>
        Volatile.Write(ref Of(entry.Fingerprint).LastSeen, time.GetUtcNow().ToUnixTimeMilliseconds() / 1000.0);

    /// <summary>The caller received a listing as of <paramref name="generation"/> (an unchanged one too: it is up to date).</summary>
    public void Fetched(string fingerprint, long generation)
    {
        var client = Of(fingerprint);
        long current;
        while (generation > (current = Interlocked.Read(ref client.Generation)) && Interlocked.CompareExchange(ref client.Generation, generation, current) != current)
        {
            // Two listings of one client answered at once; keep the newer generation.
        }
    }

    public IEnumerable<Measurement<double>> ObserveLastSeen() =>
        Observe(client => Volatile.Read(ref client.LastSeen) is var seen and > 0 ? seen : null);

    public IEnumerable<Measurement<double>> ObserveGeneration() =>
        Observe(client => Interlocked.Read(ref client.Generation) is var generation and >= 0 ? generation : null);

    private List<Measurement<double>> Observe(Func<Client, double?> value)
    {
        var trusted = trust.Current.Trusted;
        var measurements = new List<Measurement<double>>();
        foreach (var (fingerprint, client) in _clients)
        {
            if (!trusted.TryGetValue(fingerprint, out var entry))
            {
                _clients.TryRemove(fingerprint, out _);
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
    }
}
