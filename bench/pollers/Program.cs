// pollers URL CERT KEY SERVER_FINGERPRINT CONCURRENCY SECONDS
// Each poller is one AMS in pull mode with nothing new to fetch: its own mTLS connection, asking the registry's
// listing with If-None-Match on the generation it knows (304, as a synced client does every update interval), as
// fast as it can. Prints one RESULT line: requests/s, p50/p99 latency in ms, errors.
using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography.X509Certificates;
using Aar.Protocol.Certificates;
using Aar.Protocol.Registry;

if (args.Length != 6)
{
    Console.Error.WriteLine("usage: pollers URL CERT KEY SERVER_FINGERPRINT CONCURRENCY SECONDS");
    return 2;
}

var url = new Uri(args[0]);
using var certificate = X509Certificate2.CreateFromPemFile(args[1], args[2]);
if (!Fingerprint.TryParse(args[3], out var fingerprint))
{
    Console.Error.WriteLine($"not a SHA-256 fingerprint: {args[3]}");
    return 2;
}

var concurrency = int.Parse(args[4], CultureInfo.InvariantCulture);
var duration = TimeSpan.FromSeconds(double.Parse(args[5], CultureInfo.InvariantCulture));

// The generation every poller "knows": the current one, so every answer is a 304.
long generation;
using (var first = RegistryClient.Create(url, certificate, fingerprint))
{
    var listing = await first.ListApplicationsAsync();
    if (!listing.Succeeded)
    {
        Console.Error.WriteLine($"listing failed: {listing.Problem!.Detail}");
        return 1;
    }

    generation = listing.Value!.Generation;
}

var latencies = new List<double>[concurrency];
var errors = 0;
var clock = Stopwatch.StartNew();
await Parallel.ForEachAsync(Enumerable.Range(0, concurrency), new ParallelOptions { MaxDegreeOfParallelism = concurrency }, async (i, cancellationToken) =>
{
    var mine = latencies[i] = [];
    using var client = RegistryClient.Create(url, certificate, fingerprint);
    while (clock.Elapsed < duration)
    {
        var started = Stopwatch.GetTimestamp();
        var result = await client.ListApplicationsAsync(knownGeneration: generation, cancellationToken: cancellationToken);
        if (!result.Succeeded || result.Value is not null)
        {
            Interlocked.Increment(ref errors);
        }

        mine.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
    }
});
var elapsed = clock.Elapsed.TotalSeconds;
var all = latencies.SelectMany(l => l).Order().ToArray();
double Percentile(double p) => all.Length == 0 ? 0 : all[Math.Min(all.Length - 1, (int)(p * all.Length))];
Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
    $"RESULT test=pollers concurrency={concurrency} requests={all.Length} seconds={elapsed:F1} rps={all.Length / elapsed:F0} p50_ms={Percentile(0.50):F2} p99_ms={Percentile(0.99):F2} errors={errors} url={url}"));
return errors == 0 ? 0 : 1;
