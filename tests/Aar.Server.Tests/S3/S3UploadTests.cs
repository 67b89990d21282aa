using System.Data.Common;
using System.Data;
using System.Net;
using Aar.Hosting;
using Aar.Protocol.Http;
using Aar.Protocol.Registry;
using Aar.Server.Data;
using Aar.Server.Hosting;
using Aar.Server.Storage.S3;
using TestSupport;
using Xunit.Abstractions;
using static Aar.Server.Tests.StorageRegistry;
using static Aar.Server.Tests.TrustEnforcementTests;

namespace Aar.Server.Tests.S3;

/// <summary>Upload sessions on a real radosgw: parts, tails, a node dying mid-chunk, and S3 going away.</summary>
public sealed class S3UploadTests(ITestOutputHelper output)
{
    private const int MiB = 1024 * 1024;


    /// <summary>The operator finds the cause from the trace id a user reports: one log line holds both.</summary>
    private static void AssertLoggedWithTraceId(RecordingOutput log, Problem problem, S3StorageOptions s3)
    {
        var trace = System.Text.RegularExpressions.Regex.Match(problem.Detail!, "trace id ([0-9a-f]{32})").Groups[1].Value;
        Assert.Single(log.Lines, line => line.Contains(trace, StringComparison.Ordinal) && line.Contains(s3.Bucket, StringComparison.Ordinal));
    }

    /// <summary>Bucket, object keys and the backend's address are for the log; the client gets a trace id.</summary>
    private static void AssertNamesNoBackend(Problem problem, S3StorageOptions s3, string endpoint)
    {
        var endpointUri = new Uri(endpoint);
        Assert.Matches(@"the server log has the cause \(trace id [0-9a-f]{32}\)\.$", problem.Detail);
        Assert.DoesNotContain(s3.Bucket, problem.Detail, StringComparison.Ordinal);
        Assert.DoesNotContain(s3.Prefix.TrimEnd('/'), problem.Detail, StringComparison.Ordinal);
        Assert.DoesNotContain(endpointUri.Authority, problem.Detail, StringComparison.Ordinal);
        Assert.DoesNotContain(endpointUri.Host, problem.Detail, StringComparison.Ordinal);
        Assert.DoesNotContain("S3", problem.Detail, StringComparison.Ordinal);
    }
    private static Func<ServeOptions, ServeOptions> SmallParts(Func<S3StorageOptions, S3StorageOptions>? more = null) =>
        o => o with { S3 = (more ?? (s => s))(o.S3 with { PartSize = 5 * MiB }) };

    [S3Fact]
    public async Task A_session_crossing_parts_survives_a_node_dying_mid_chunk_and_finishes_elsewhere()
    {
        await using var registry = await StorageRegistry.StartAsync(output, SmallParts());
        var blob = TestBlob.Random(13 * MiB + 123);
        var session = await UploadSessionTests.StartAsync(registry);
        using (var first = await registry.Http.PatchAsync(session.Location, Chunk(blob.Bytes[..(3 * MiB)], 0)))
        {
            Assert.Equal(HttpStatusCode.Accepted, first.StatusCode);
        }

        Assert.Equal(3 * MiB, registry.StagedBytes(session.Id));

        // The next chunk sends 3 MiB (crossing the 5 MiB part boundary), then hangs: the node is stopped under it.
        using var abort = new CancellationTokenSource();
        var hanging = new HangingStream(blob.Bytes[(3 * MiB)..(6 * MiB)]);
        using var content = new StreamContent(hanging);
        content.Headers.TryAddWithoutValidation("Content-Range", $"bytes {3 * MiB}-{blob.Bytes.Length - 1}/*");
        content.Headers.ContentLength = blob.Bytes.Length - 3 * MiB;
        // Its own connection (the test client keeps one per server), so status requests are not queued behind it.
        using var sender = registry.Server.Client(registry.PublisherCertificate);
        var inFlight = sender.Http.PatchAsync(session.Location, content, abort.Token);
        await WaitForOffsetAsync(registry, session.Id, 5 * MiB);

        await abort.CancelAsync();
        await Assert.ThrowsAnyAsync<Exception>(() => inFlight);
        await registry.Server.RestartAsync();

        // A new node: nothing in memory, the hash state comes from the row (parts cannot be read back to re-hash).
        using var typed = registry.Typed();
        var status = await typed.GetUploadAsync(session.Id);
        Assert.InRange(status.Value!.Offset, 5 * MiB, 6 * MiB);
        var result = await typed.UploadBlobAsync(new MemoryStream(blob.Bytes), blob.Digest, blob.Bytes.Length, new UploadOptions { ResumeSessionId = session.Id });
        Assert.True(result.Succeeded, result.Problem?.Detail);
        Assert.Equal(blob.Bytes, await registry.ReadStoredAsync(blob));
        Assert.Equal([blob.RelativePath], registry.StoredFiles());
    }

    [S3Fact]
    public async Task A_part_uploaded_but_not_recorded_before_a_crash_is_simply_uploaded_again()
    {
        await using var registry = await StorageRegistry.StartAsync(output, SmallParts());
        var blob = TestBlob.Random(11 * MiB);
        var session = await UploadSessionTests.StartAsync(registry);
        (await registry.Http.PatchAsync(session.Location, Chunk(blob.Bytes[..(3 * MiB)], 0))).Dispose();
        var database = registry.Server.Database;
        var beforeCrash = await ReadRowAsync(database, session.Id);
        var s3 = registry.S3!;
        var tailKey = s3.UploadPrefix(session.Id) + "tail-" + 3 * MiB;
        var tail = await ReadObjectAsync(s3, tailKey);

        // Part 1 and a new tail reach S3; then the node "dies" before recording them (and so before deleting the
        // old tail): the row and the old tail are put back as they were at that moment.
        (await registry.Http.PatchAsync(session.Location, Chunk(blob.Bytes[(3 * MiB)..(7 * MiB)], 3 * MiB))).Dispose();
        await registry.Server.StopAsync();
        await WriteRowAsync(database, session.Id, beforeCrash);
        await s3.Client.PutObjectAsync(new Amazon.S3.Model.PutObjectRequest { BucketName = s3.Bucket, Key = tailKey, InputStream = new MemoryStream(tail) });
        await registry.Server.RestartAsync();

        using var typed = registry.Typed();
        Assert.Equal(3 * MiB, (await typed.GetUploadAsync(session.Id)).Value!.Offset);
        var result = await typed.UploadBlobAsync(new MemoryStream(blob.Bytes), blob.Digest, blob.Bytes.Length, new UploadOptions { ResumeSessionId = session.Id });
        Assert.True(result.Succeeded, result.Problem?.Detail);
        Assert.Equal(blob.Bytes, await registry.ReadStoredAsync(blob));
        // The unrecorded tail went with the session.
        Assert.Equal([blob.RelativePath], registry.StoredFiles());
    }

    [S3Fact]
    public async Task S3_going_down_mid_upload_is_503_keeps_the_durable_offset_and_the_upload_resumes_when_it_is_back()
    {
        await using var proxy = new CuttableProxy(new Uri(TestS3.Endpoint!));
        var log = new RecordingOutput(output);
        await using var registry = await StorageRegistry.StartAsync(log, SmallParts(s => s with { Endpoint = proxy.Endpoint }));
        var blob = TestBlob.Random(6 * MiB + 400_000);
        var session = await UploadSessionTests.StartAsync(registry);
        (await registry.Http.PatchAsync(session.Location, Chunk(blob.Bytes[..(6 * MiB)], 0))).Dispose();
        (await registry.PutBlobAsync(TestBlob.Random(10))).Dispose();

        proxy.Cut();
        using (var failed = await registry.Http.PatchAsync(session.Location, Chunk(blob.Bytes[(6 * MiB)..(6 * MiB + 200_000)], 6 * MiB)))
        {
            var problem = await AssertProblem(failed, HttpStatusCode.ServiceUnavailable, ProblemTypes.StorageUnavailable);
            Assert.Equal(6 * MiB, problem.Offset);
            AssertNamesNoBackend(problem, registry.Server.Options.S3, proxy.Endpoint);
            AssertLoggedWithTraceId(log, problem, registry.Server.Options.S3);
        }

        using (var status = await registry.Http.GetAsync(session.Location))
        {
            Assert.Equal((6 * MiB).ToString(System.Globalization.CultureInfo.InvariantCulture), status.Headers.GetValues(RegistryRoutes.UploadOffsetHeader).Single());
        }

        using (var download = await registry.Http.GetAsync($"/1.0/blobs/{blob.Digest}"))
        {
            var problem = await AssertProblem(download, HttpStatusCode.ServiceUnavailable, ProblemTypes.StorageUnavailable);
            AssertNamesNoBackend(problem, registry.Server.Options.S3, proxy.Endpoint);
            AssertLoggedWithTraceId(log, problem, registry.Server.Options.S3);
        }

        proxy.Restore();
        using (var resumed = await registry.Http.PatchAsync(session.Location, Chunk(blob.Bytes[(6 * MiB)..(6 * MiB + 200_000)], 6 * MiB)))
        {
            Assert.Equal(HttpStatusCode.Accepted, resumed.StatusCode);
        }

        using var finish = await registry.Http.PutAsync($"{session.Location}?digest={blob.Digest}", Chunk(blob.Bytes[(6 * MiB + 200_000)..], 6 * MiB + 200_000));
        Assert.Equal(HttpStatusCode.Created, finish.StatusCode);
        Assert.Equal(blob.Bytes, await registry.ReadStoredAsync(blob));
    }

    [S3Fact]
    public async Task S3_failing_while_a_chunk_is_being_received_is_503_and_only_durable_bytes_count()
    {
        await using var proxy = new CuttableProxy(new Uri(TestS3.Endpoint!));
        await using var registry = await StorageRegistry.StartAsync(output, SmallParts(s => s with { Endpoint = proxy.Endpoint }));
        var blob = TestBlob.Random(700_000);
        var session = await UploadSessionTests.StartAsync(registry);
        (await registry.Http.PatchAsync(session.Location, Chunk(blob.Bytes[..300_000], 0))).Dispose();

        // Half the chunk arrives (the tail was already read back from S3), S3 goes away, then the rest arrives:
        // storing the new tail fails.
        var release = new TaskCompletionSource();
        using var content = new StreamContent(new HangingStream(blob.Bytes[300_000..400_000], release.Task, blob.Bytes[400_000..500_000]));
        content.Headers.TryAddWithoutValidation("Content-Range", "bytes 300000-499999/*");
        content.Headers.ContentLength = 200_000;
        var sending = registry.Http.PatchAsync(session.Location, content);
        await Task.Delay(500);
        proxy.Cut();
        release.SetResult();
        using (var failed = await sending)
        {
            var problem = await AssertProblem(failed, HttpStatusCode.ServiceUnavailable, ProblemTypes.StorageUnavailable);
            Assert.Equal(300_000, problem.Offset);
        }

        // The typed client rides over the outage: it backs off on 503 and resumes once S3 is back.
        using var typed = registry.Typed();
        var upload = typed.UploadBlobAsync(new MemoryStream(blob.Bytes), blob.Digest, blob.Bytes.Length, new UploadOptions { ResumeSessionId = session.Id, RetryDelay = TimeSpan.FromMilliseconds(300), MaxAttempts = 8 });
        await Task.Delay(700);
        proxy.Restore();
        var result = await upload;
        Assert.True(result.Succeeded, result.Problem?.Detail);
        Assert.Equal(blob.Bytes, await registry.ReadStoredAsync(blob));
    }

    [S3Fact]
    public async Task A_session_left_by_the_file_store_is_unknown_after_switching_to_s3()
    {
        var store = "filesystem";
        await using var registry = await StorageRegistry.StartAsync(output, o => o with { BlobStore = store });
        var blob = TestBlob.Random(1000);
        var fresh = await UploadSessionTests.StartAsync(registry);
        var started = await UploadSessionTests.StartAsync(registry);
        (await registry.Http.PatchAsync(started.Location, Chunk(blob.Bytes[..500], 0))).Dispose();

        store = "s3";
        await registry.Server.RestartAsync(keepPort: true);

        foreach (var session in new[] { fresh, started })
        {
            using var next = await registry.Http.PatchAsync(session.Location, Chunk(blob.Bytes[..100], 0));
            await AssertProblem(next, HttpStatusCode.NotFound, ProblemTypes.UploadUnknown);
        }
    }

    [S3Fact]
    public async Task A_multipart_put_with_the_wrong_digest_leaves_nothing_and_a_right_one_serves_ranges()
    {
        await using var registry = await StorageRegistry.StartAsync(output, SmallParts());
        var blob = TestBlob.Random(12 * MiB + 5);
        var wrong = TestBlob.Random(16);

        using (var content = new ByteArrayContent(blob.Bytes))
        using (var refused = await registry.Http.PutAsync($"/1.0/blobs/{wrong.Digest}", content))
        {
            await AssertProblem(refused, HttpStatusCode.BadRequest, ProblemTypes.DigestMismatch);
        }

        Assert.Empty(registry.StoredFiles());
        var pending = await registry.S3!.Client.ListMultipartUploadsAsync(new Amazon.S3.Model.ListMultipartUploadsRequest { BucketName = registry.S3.Bucket, Prefix = registry.S3.Options.Prefix });
        Assert.Empty(pending.MultipartUploads ?? []);

        using (var stored = await registry.PutBlobAsync(blob))
        {
            Assert.Equal(HttpStatusCode.Created, stored.StatusCode);
        }

        using var request = new HttpRequestMessage(HttpMethod.Get, $"/1.0/blobs/{blob.Digest}");
        request.Headers.Range = new System.Net.Http.Headers.RangeHeaderValue(5 * MiB - 10, 5 * MiB + 9);
        using var ranged = await registry.Http.SendAsync(request);
        Assert.Equal(HttpStatusCode.PartialContent, ranged.StatusCode);
        Assert.Equal($"bytes {5 * MiB - 10}-{5 * MiB + 9}/{blob.Bytes.Length}", ranged.Content.Headers.ContentRange?.ToString());
        Assert.Equal(blob.Bytes[(5 * MiB - 10)..(5 * MiB + 10)], await ranged.Content.ReadAsByteArrayAsync());
    }

    [S3Fact]
    public async Task A_session_naming_its_digest_is_staged_at_the_blobs_address_unseen_until_verified_and_needs_no_copy()
    {
        await using var registry = await StorageRegistry.StartAsync(output, SmallParts());
        var blob = TestBlob.Random(12 * MiB + 7);
        var session = await UploadSessionTests.StartAsync(registry, blob.Digest);
        using (var sent = await registry.Http.PatchAsync(session.Location, Chunk(blob.Bytes, 0)))
        {
            Assert.Equal(HttpStatusCode.Accepted, sent.StatusCode);
        }

        // The parts sit in a multipart upload at the content address itself; until completion no reader sees a byte.
        Assert.Equal([registry.S3!.BlobKey(blob.Digest)], await PendingMultipartKeysAsync(registry));
        using (var head = await registry.Http.SendAsync(new HttpRequestMessage(HttpMethod.Head, RegistryRoutes.Blob(blob.Digest))))
        {
            Assert.Equal(HttpStatusCode.NotFound, head.StatusCode);
        }

        using (var finished = await registry.Http.PutAsync($"{session.Location}?digest={blob.Digest}", null))
        {
            Assert.Equal(HttpStatusCode.Created, finished.StatusCode);
        }

        Assert.Equal(blob.Bytes, await registry.ReadStoredAsync(blob));
        Assert.Empty(await PendingMultipartKeysAsync(registry));
        Assert.Equal([blob.RelativePath], registry.StoredFiles());
    }

    [S3Fact]
    public async Task A_session_started_for_one_digest_cannot_put_other_bytes_at_that_address()
    {
        await using var registry = await StorageRegistry.StartAsync(output, SmallParts());
        var named = TestBlob.Random(6 * MiB);
        var other = TestBlob.Random(6 * MiB);
        var session = await UploadSessionTests.StartAsync(registry, named.Digest);
        using (var sent = await registry.Http.PatchAsync(session.Location, Chunk(other.Bytes, 0)))
        {
            Assert.Equal(HttpStatusCode.Accepted, sent.StatusCode);
        }

        // The bytes are a valid blob of their own digest, but the parts target the named blob's key.
        using (var refused = await registry.Http.PutAsync($"{session.Location}?digest={other.Digest}", null))
        {
            var problem = await AssertProblem(refused, HttpStatusCode.BadRequest, ProblemTypes.DigestMismatch);
            Assert.StartsWith($"The session was started for {named.Digest}, but the {6 * MiB} bytes received hash to {other.Digest}", problem.Detail, StringComparison.Ordinal);
        }

        Assert.Empty(registry.StoredFiles());
        Assert.Empty(await PendingMultipartKeysAsync(registry));
    }

    [S3Fact]
    public async Task Two_sessions_naming_the_same_digest_store_it_once_and_the_second_leaves_it_as_it_is()
    {
        await using var registry = await StorageRegistry.StartAsync(output, SmallParts());
        var blob = TestBlob.Random(7 * MiB + 1);
        var first = await UploadSessionTests.StartAsync(registry, blob.Digest);
        var second = await UploadSessionTests.StartAsync(registry, blob.Digest);
        foreach (var session in new[] { first, second })
        {
            using var sent = await registry.Http.PatchAsync(session.Location, Chunk(blob.Bytes, 0));
            Assert.Equal(HttpStatusCode.Accepted, sent.StatusCode);
        }

        using (var created = await registry.Http.PutAsync($"{first.Location}?digest={blob.Digest}", null))
        {
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        }

        using (var existed = await registry.Http.PutAsync($"{second.Location}?digest={blob.Digest}", null))
        {
            Assert.Equal(HttpStatusCode.OK, existed.StatusCode);
        }

        Assert.Equal(blob.Bytes, await registry.ReadStoredAsync(blob));
        Assert.Empty(await PendingMultipartKeysAsync(registry));
        Assert.Equal([blob.RelativePath], registry.StoredFiles());
    }

    private static async Task<List<string>> PendingMultipartKeysAsync(StorageRegistry registry)
    {
        var pending = await registry.S3!.Client.ListMultipartUploadsAsync(new Amazon.S3.Model.ListMultipartUploadsRequest { BucketName = registry.S3.Bucket, Prefix = registry.S3.Options.Prefix });
        return [.. (pending.MultipartUploads ?? []).Select(u => u.Key)];
    }

    private static async Task WaitForOffsetAsync(StorageRegistry registry, string id, long atLeast)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (DateTime.UtcNow < deadline)
        {
            using var status = await registry.Http.GetAsync(RegistryRoutes.Upload(id));
            if (long.Parse(status.Headers.GetValues(RegistryRoutes.UploadOffsetHeader).Single(), System.Globalization.CultureInfo.InvariantCulture) >= atLeast)
            {
                return;
            }

            await Task.Delay(50);
        }

        Assert.Fail($"The session never reached offset {atLeast}.");
    }

    private static async Task<byte[]> ReadObjectAsync(Aar.Server.Storage.S3.S3Connection s3, string key)
    {
        using var response = await s3.Client.GetObjectAsync(s3.Bucket, key);
        using var copy = new MemoryStream();
        await response.ResponseStream.CopyToAsync(copy);
        return copy.ToArray();
    }

    /// <summary>The session's row, read straight from the test server's database (SQLite or PostgreSQL).</summary>
    private static async Task<(long Received, byte[]? Hash, string? Staging)> ReadRowAsync(TestDatabase database, string id)
    {
        await using var connection = await database.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT received, hash_state, staging FROM upload_sessions WHERE id = @id";
        AddParameter(command, "@id", id, DbType.String);
        await using var reader = await command.ExecuteReaderAsync();
        Assert.True(await reader.ReadAsync());
        return (reader.GetInt64(0), reader.IsDBNull(1) ? null : (byte[])reader.GetValue(1), reader.IsDBNull(2) ? null : reader.GetString(2));
    }

    /// <summary>Puts the session's row back as it was (what a node that died before recording leaves).</summary>
    private static async Task WriteRowAsync(TestDatabase database, string id, (long Received, byte[]? Hash, string? Staging) row)
    {
        await using var connection = await database.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "UPDATE upload_sessions SET received = @received, hash_state = @hash, staging = @staging, last_active_at = @now WHERE id = @id";
        AddParameter(command, "@id", id, DbType.String);
        AddParameter(command, "@received", row.Received, DbType.Int64);
        AddParameter(command, "@hash", row.Hash, DbType.Binary);
        AddParameter(command, "@staging", row.Staging, DbType.String);
        AddParameter(command, "@now", DbTime.Format(DateTimeOffset.UtcNow), DbType.String);
        Assert.Equal(1, await command.ExecuteNonQueryAsync());
    }

    private static void AddParameter(DbCommand command, string name, object? value, DbType type)
    {
        var parameter = command.CreateParameter();
        parameter.ParameterName = name;
        parameter.DbType = type;
        parameter.Value = value ?? DBNull.Value;
        command.Parameters.Add(parameter);
    }

    /// <summary>
    /// Gives its bytes, then waits for <c>release</c> (forever by default, until the request is aborted) and gives
    /// <c>rest</c>: a chunk in flight when something happens.
    /// </summary>
    private sealed class HangingStream(byte[] bytes, Task? release = null, byte[]? rest = null) : Stream
    {
        private byte[] _bytes = bytes;
        private int _position;
        private bool _released;

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => _position; set => throw new NotSupportedException(); }

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            if (_position == _bytes.Length)
            {
                if (rest is null)
                {
                    await Task.Delay(Timeout.Infinite, cancellationToken);
                }

                if (_released)
                {
                    return 0;
                }

                await release!.WaitAsync(cancellationToken);
                (_bytes, _position, _released) = (rest!, 0, true);
            }

            var count = Math.Min(buffer.Length, _bytes.Length - _position);
            _bytes.AsMemory(_position, count).CopyTo(buffer);
            _position += count;
            return count;
        }

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
