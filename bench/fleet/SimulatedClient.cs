using System.Collections.Concurrent;
using System.Diagnostics;
using Aar.Protocol.Registry;
using Aar.Protocol.Signing;

namespace Fleet;

internal enum PollKind { NotModified, Full, Error }

/// <summary>One poll: when it started (seconds since the run started), how long it took, what came back.</summary>
internal readonly record struct Poll(double At, double Milliseconds, PollKind Kind);

/// <summary>What the fleet has seen of the release: set once by the publisher, read by every client.</summary>
internal sealed class Release
{
    private volatile int _version = -1;

    public int Version => _version;

    public double PublishedAt { get; private set; }

    public void Publish(int version, double at)
    {
        PublishedAt = at;
        _version = version;
    }
}

/// <summary>
/// One AMS in pull mode, reduced to what a registry sees of it: its own certificate and TLS connection, a pass every
/// interval plus up to 5 % jitter (as the AMS's SyncWorker schedules them), each pass the signed listing with
/// If-None-Match on the generation it knows; on a new generation the envelope verified with the pinned key, the
/// deletion records since, and (for a downloader) the new version's blob, verified by digest.
/// </summary>
internal sealed class SimulatedClient(int index, RegistryClient client, SigningPublicKey key, bool downloader, string work)
{
    private long _known;
    private int _version = -1;

    public double? SawReleaseAt { get; private set; }

    public double? DownloadedAt { get; private set; }

    public string? LastError { get; private set; }

    public bool Downloader => downloader;

    public async Task RunAsync(TimeSpan firstPoll, TimeSpan interval, Stopwatch clock, Release release, ConcurrentQueue<Poll> polls, CancellationToken cancellationToken)
    {
        try
        {
            await Task.Delay(firstPoll, cancellationToken);
            while (!cancellationToken.IsCancellationRequested)
            {
                await PassAsync(clock, release, polls, cancellationToken);
                var jitter = Random.Shared.NextDouble() * Math.Min(interval.TotalMilliseconds * 0.05, 30_000);
                await Task.Delay(interval + TimeSpan.FromMilliseconds(jitter), cancellationToken);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
    }

    private async Task PassAsync(Stopwatch clock, Release release, ConcurrentQueue<Poll> polls, CancellationToken cancellationToken)
    {
        var at = clock.Elapsed.TotalSeconds;
        var started = Stopwatch.GetTimestamp();
        try
        {
            var fetched = await client.GetSignedApplicationsAsync(knownGeneration: _known > 0 ? _known : null, cancellationToken: cancellationToken);
            var ms = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            if (!fetched.Succeeded)
            {
                Fail(polls, at, ms, fetched.Problem!.Title + ": " + fetched.Problem.Detail);
                return;
            }

            if (fetched.Value is not { } envelope)
            {
                polls.Enqueue(new Poll(at, ms, PollKind.NotModified));
                return;
            }

            polls.Enqueue(new Poll(at, ms, PollKind.Full));
            if (!envelope.TryOpen(SignedApplications.PayloadType, key, RegistryReadJsonContext.Default.SignedApplications, out var listing, out var refusal))
            {
                LastError = refusal;
                return;
            }

            if (_known > 0 && listing.Generation > _known)
            {
                var deletions = await client.GetSignedDeletionsAsync(_known, cancellationToken);
                if (!deletions.Succeeded)
                {
                    LastError = deletions.Problem!.Detail;
                    return;
                }
            }

            _known = listing.Generation;
            var newest = listing.Applications.Where(a => a.Name == Publisher.Application).SelectMany(a => a.Versions).MaxBy(v => v.Version);
            if (newest is null || newest.Version <= _version)
            {
                return;
            }

            _version = newest.Version;
            if (newest.Version == release.Version)
            {
                SawReleaseAt = clock.Elapsed.TotalSeconds;
                if (downloader)
                {
                    await DownloadAsync(newest, clock, cancellationToken);
                }
            }
        }
        catch (Exception ex) when (ex is HttpRequestException or IOException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            Fail(polls, at, Stopwatch.GetElapsedTime(started).TotalMilliseconds, ex.Message);
        }
    }

    private async Task DownloadAsync(ApplicationVersion version, Stopwatch clock, CancellationToken cancellationToken)
    {
        if (!BlobDigest.TryParse(version.Digest, out var digest))
        {
            LastError = $"not a digest: {version.Digest}";
            return;
        }

        var path = Path.Combine(work, $"download-{index:D4}.bin");
        File.Delete(path);
        try
        {
            var downloaded = await client.DownloadBlobAsync(digest, path, expectedSize: version.Size, cancellationToken: cancellationToken);
            if (downloaded.Succeeded)
            {
                DownloadedAt = clock.Elapsed.TotalSeconds;
            }
            else
            {
                LastError = downloaded.Problem!.Detail;
            }
        }
        finally
        {
            File.Delete(path);
        }
    }

    private void Fail(ConcurrentQueue<Poll> polls, double at, double ms, string error)
    {
        LastError = error;
        polls.Enqueue(new Poll(at, ms, PollKind.Error));
    }
}
