namespace EndToEnd.Tests.Dashboard;

/// <summary>A test that drives Debian's headless Chromium, and says what is missing instead of running without it.</summary>
[AttributeUsage(AttributeTargets.Method)]
internal sealed class NeedsBrowserFactAttribute : FactAttribute
{
    public NeedsBrowserFactAttribute()
    {
        if (Browser.MissingReason() is { } reason)
        {
            Skip = reason;
        }
    }
}
