using System.Diagnostics;
using Aar.Server.Storage.S3;
using Amazon.S3.Model;
using TestSupport;

namespace Aar.Server.Tests.S3;

/// <summary>
/// A caller that gives up on an S3 call (a host stopping while a background listing or lookup is in flight) must not
/// damage the connection the next call uses: cancelling the SDK in the middle of a response made the next request on
/// that pooled connection wait out the full client timeout, though its answer was on the wire.
/// </summary>
public sealed class S3CancellationTests
{
    [S3Fact]
    public async Task Calls_given_up_at_any_moment_leave_every_next_call_answered_at_once()
    {
        using var s3 = new S3Connection(TestS3.Options($"t-{Guid.NewGuid():n}/")!);
        await s3.EnsureBucketAsync(CancellationToken.None);
        for (var i = 0; i < 40; i++)
        {
            await s3.Client.PutObjectAsync(new PutObjectRequest { BucketName = s3.Bucket, Key = s3.UploadPrefix("listing") + i, InputStream = new MemoryStream([1]) });
        }

        var slowest = TimeSpan.Zero;
        for (var round = 0; round < 60; round++)
        {
            // Give up after 0-40 ms: somewhere between sending the request and reading the end of its answer.
            using (var giveUp = new CancellationTokenSource(TimeSpan.FromMilliseconds(round % 41)))
            {
                try
                {
                    if (round % 2 == 0)
                    {
                        await foreach (var _ in s3.ListAsync(s3.UploadPrefix("listing"), giveUp.Token))
                        {
                        }
                    }
                    else
                    {
                        await s3.HeadAsync(s3.UploadPrefix("missing") + round, giveUp.Token);
                    }
                }
                catch (OperationCanceledException)
                {
                }
            }

            var watch = Stopwatch.StartNew();
            using var patience = new CancellationTokenSource(TimeSpan.FromSeconds(20));
            try
            {
                await s3.EnsureBucketAsync(patience.Token);
                await s3.HeadAsync(s3.UploadPrefix("listing") + "0", patience.Token);
            }
            catch (OperationCanceledException) when (patience.IsCancellationRequested)
            {
                Assert.Fail($"Round {round}: the calls after one given up after {round % 41} ms were not answered within 20 s.");
            }

            slowest = TimeSpan.FromTicks(Math.Max(slowest.Ticks, watch.Elapsed.Ticks));
        }

        Assert.True(slowest < TimeSpan.FromSeconds(5), $"a call after a cancelled one took {slowest.TotalSeconds:F1} s");
    }
}
