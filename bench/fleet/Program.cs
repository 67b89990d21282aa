// fleet -- CLIENTS simulated AMS clients (each its own certificate and TLS connection) polling one registry's signed
// listing every INTERVAL (+ up to 5 % jitter), first polls spread over one interval; after STEADY seconds of steady
// polling a new BLOB_MIB version is published and DOWNLOADERS of the clients download it. Prints RESULT lines: poll
// latency (304 in the steady window, 200), time until the whole fleet has seen the release and until every
// downloader has it, registry CPU per phase, registry and simulator memory. Settings: Settings.cs; run by bench/fleet.sh.
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography.X509Certificates;
using Aar.Protocol.Certificates;
using Aar.Protocol.Registry;
using Aar.Protocol.Signing;
using Fleet;

var settings = Settings.FromEnvironment();
var server = new ServerProcess(settings.ServerPids);
Directory.CreateDirectory(settings.Work);
using var serverCertificate = X509Certificate2.CreateFromPem(File.ReadAllText(settings.ServerCertificate));
var pin = Fingerprint.Of(serverCertificate);
void Say(string text) => Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"[{DateTime.UtcNow:HH:mm:ss}] {text}"));

var watch = Stopwatch.StartNew();
var publisherCertificate = (await Enrolment.EnrolAsync(settings.DataDirectory, 1, "fleet-publisher", "publisher"))[0];
var clientCertificates = await Enrolment.EnrolAsync(settings.DataDirectory, settings.Clients, "fleet-ams", "client");
Say($"enrolled {settings.Clients} clients and a publisher in {watch.Elapsed.TotalSeconds:F1} s");

using var publishing = RegistryClient.Create(settings.Url, publisherCertificate, pin);
var publisher = new Publisher(publishing, settings.Work);
await publisher.SeedAsync(settings.SeedApplications);
await publisher.PublishAsync(0, 1);
var keyInfo = await publishing.GetSigningKeyAsync();
if (!keyInfo.Succeeded || !SigningPublicKey.TryParse(keyInfo.Value!.PublicKey, out var key, out var keyError))
{
    Console.Error.WriteLine($"signing key: {keyInfo.Problem?.Detail ?? "unreadable"}");
    return 1;
}

Say($"seeded {settings.SeedApplications} applications; starting the fleet (interval {settings.Interval.TotalSeconds} s)");
var clients = clientCertificates.Select((c, i) => (Client: RegistryClient.Create(settings.Url, c, pin), Index: i)).ToArray();
var fleet = clients.Select(c => new SimulatedClient(c.Index, c.Client, key, c.Index % Math.Max(1, settings.Clients / Math.Max(1, settings.Downloaders)) == 0 && c.Index / Math.Max(1, settings.Clients / Math.Max(1, settings.Downloaders)) < settings.Downloaders, settings.Work)).ToArray();
var polls = new ConcurrentQueue<Poll>();
var release = new Release();
using var stop = new CancellationTokenSource();
var clock = Stopwatch.StartNew();
var peakRss = 0.0;
var sampler = Task.Run(async () =>
{
    while (!stop.IsCancellationRequested)
    {
        peakRss = Math.Max(peakRss, server.MaxMiB("VmRSS"));
        await Task.Delay(500);
    }
});
var cpu0 = server.CpuSeconds();
var running = fleet.Select((c, i) => c.RunAsync(settings.Interval * i / settings.Clients, settings.Interval, clock, release, polls, stop.Token)).ToArray();

// Connect: every client's first pass (TLS handshake with its certificate, a full signed listing).
await Task.Delay(settings.Interval + TimeSpan.FromSeconds(2));
var (steadyFrom, cpu1) = (clock.Elapsed.TotalSeconds, server.CpuSeconds());
await Task.Delay(settings.Steady);
var (steadyTo, cpu2) = (clock.Elapsed.TotalSeconds, server.CpuSeconds());
Say("publishing the release");
var publishStarted = clock.Elapsed.TotalSeconds;
var published = await publisher.PublishAsync(1, settings.BlobMiB);
release.Publish(published.Version, clock.Elapsed.TotalSeconds);
var cpu3 = server.CpuSeconds();
var deadline = clock.Elapsed + settings.Deadline;
while (clock.Elapsed < deadline && fleet.Any(c => c.SawReleaseAt is null || (c.Downloader && c.DownloadedAt is null)))
{
    await Task.Delay(250);
}

var (end, cpu4) = (clock.Elapsed.TotalSeconds, server.CpuSeconds());
await stop.CancelAsync();
await Task.WhenAll(running);
await sampler;
foreach (var c in clients)
{
    c.Client.Dispose();
}

var all = polls.ToArray();
double[] Latencies(Func<Poll, bool> which) => [.. all.Where(which).Select(p => p.Milliseconds).Order()];
static double Percentile(double[] sorted, double p) => sorted.Length == 0 ? double.NaN : sorted[Math.Min(sorted.Length - 1, (int)(p * sorted.Length))];
var steady304 = Latencies(p => p.Kind == PollKind.NotModified && p.At >= steadyFrom && p.At < steadyTo);
var full = Latencies(p => p.Kind == PollKind.Full);
var errors = all.Count(p => p.Kind == PollKind.Error);
var seen = fleet.Where(c => c.SawReleaseAt is not null).Select(c => c.SawReleaseAt!.Value - release.PublishedAt).Order().ToArray();
var downloaded = fleet.Where(c => c.Downloader && c.DownloadedAt is not null).Select(c => c.DownloadedAt!.Value - release.PublishedAt).Order().ToArray();
var steadyPolls = all.Count(p => p.At >= steadyFrom && p.At < steadyTo);
string F(double v) => v.ToString("F1", CultureInfo.InvariantCulture);
string F2(double v) => v.ToString("F2", CultureInfo.InvariantCulture);
using var self = Process.GetCurrentProcess();
Console.WriteLine($"RESULT test=fleet-polls clients={settings.Clients} interval_s={F(settings.Interval.TotalSeconds)} steady_s={F(steadyTo - steadyFrom)} steady_polls={steadyPolls} polls_per_s={F(steadyPolls / (steadyTo - steadyFrom))} p50_304_ms={F2(Percentile(steady304, 0.5))} p99_304_ms={F2(Percentile(steady304, 0.99))} max_304_ms={F2(steady304.LastOrDefault())} full_200s={full.Length} p50_200_ms={F2(Percentile(full, 0.5))} p99_200_ms={F2(Percentile(full, 0.99))} errors={errors}");
Console.WriteLine($"RESULT test=fleet-release blob_MiB={settings.BlobMiB} publish_s={F(release.PublishedAt - publishStarted)} saw_release={seen.Length}/{settings.Clients} p50_seen_s={F(Percentile(seen, 0.5))} all_seen_s={F(seen.LastOrDefault(double.NaN))} downloaded={downloaded.Length}/{fleet.Count(c => c.Downloader)} all_downloaded_s={F(downloaded.LastOrDefault(double.NaN))}");
Console.WriteLine($"RESULT test=fleet-server connect_cpu_s={F2(cpu1 - cpu0)} steady_cpu_s={F2(cpu2 - cpu1)} steady_cpu_pct={F(100 * (cpu2 - cpu1) / (steadyTo - steadyFrom))} steady_cpu_us_per_poll={F(1e6 * (cpu2 - cpu1) / Math.Max(1, steadyPolls))} release_cpu_s={F2(cpu4 - cpu3)} peak_rss_MB={F(Math.Max(peakRss, server.MaxMiB("VmHWM")))} rss_end_MB={F(server.MaxMiB("VmRSS"))} simulator_cpu_s={F(self.TotalProcessorTime.TotalSeconds)} simulator_peak_MB={F(self.PeakWorkingSet64 / 1048576.0)}");
foreach (var error in fleet.Select(c => c.LastError).OfType<string>().GroupBy(e => e).OrderByDescending(g => g.Count()).Take(5))
{
    Console.WriteLine($"error x{error.Count()}: {error.Key}");
}

return errors == 0 && seen.Length == settings.Clients && downloaded.Length == fleet.Count(c => c.Downloader) ? 0 : 1;
