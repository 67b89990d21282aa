using TestSupport;

namespace Aar.Server.Tests.S3;

/// <summary>A test that needs a real S3 store: skipped, saying how to get one, unless AAR_TEST_S3_ENDPOINT is set.</summary>
public sealed class S3FactAttribute : FactAttribute
{
    public S3FactAttribute()
    {
        if (TestS3.Endpoint is null)
        {
            Skip = $"Needs an S3 store: run `eval \"$(scripts/ci/ceph-s3.sh start)\"` (sets {TestS3.EndpointVariable} and the keys) and run the tests again.";
        }
    }
}
