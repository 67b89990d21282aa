namespace EndToEnd.Tests.ScaleOut;

/// <summary>
/// A scale-out test: it needs PostgreSQL and the S3 store that <c>scripts/test.sh</c> starts (through
/// <c>scripts/ci/services.sh</c>) and HAProxy, and says so instead of running without them.
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
internal sealed class ScaleOutFactAttribute : FactAttribute
{
    public ScaleOutFactAttribute()
    {
        if (SharedServices.MissingReason() is { } reason)
        {
            Skip = reason;
        }
    }
}
