using TestSupport;

namespace EndToEnd.Tests.ScaleOut;

/// <summary>
/// PostgreSQL and the S3 store a scale-out test runs on, from the environment <c>scripts/ci/services.sh start</c>
/// prints (<c>AAR_TEST_DATABASE</c>, <c>AAR_TEST_S3_ENDPOINT</c> and its keys). Each test gets a fresh database and a
/// fresh key prefix in the shared bucket, so tests never see each other's state.
/// </summary>
internal static class SharedServices
{
    /// <summary>Why the scale-out tests cannot run here, or null when they can.</summary>
    public static string? MissingReason()
    {
        var missing = new List<string>();
        if (!TestDatabase.UsePostgres)
        {
            missing.Add($"PostgreSQL ({TestDatabase.EnvironmentVariable})");
        }

        if (TestS3.Endpoint is null)
        {
            missing.Add($"S3 ({TestS3.EndpointVariable})");
        }

        if (!File.Exists(LoadBalancer.Executable))
        {
            missing.Add($"HAProxy ({LoadBalancer.Executable})");
        }

        return missing.Count == 0 ? null : $"Needs {string.Join(", ", missing)}: scripts/test.sh starts them when installed (bash .ci/run installs them).";
    }

    public static async Task<Allocation> AllocateAsync() =>
        new(await TestDatabase.CreatePostgresAsync(), $"e2e-{Guid.NewGuid():N}/");

    /// <summary>One test's database and bucket prefix, as <c>aar serve</c> arguments and environment.</summary>
    internal sealed class Allocation(TestDatabase database, string prefix) : IAsyncDisposable
    {
        public TestDatabase Database => database;

        public IReadOnlyList<string> ServeArguments { get; } =
        [
            "--database", database.ConnectionString!,
            "--blob-store", "s3",
            "--s3-endpoint", TestS3.Endpoint!,
            "--s3-bucket", TestS3.Bucket,
            "--s3-prefix", prefix,
            "--s3-create-bucket",
        ];

        public IReadOnlyDictionary<string, string> ServeEnvironment { get; } = new Dictionary<string, string>
        {
            ["AAR_S3_ACCESS_KEY"] = TestS3.Credentials.AccessKey,
            ["AAR_S3_SECRET_KEY"] = TestS3.Credentials.SecretKey,
        };

        public ValueTask DisposeAsync() => database.DisposeAsync();
    }
}
