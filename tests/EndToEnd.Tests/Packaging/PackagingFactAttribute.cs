namespace EndToEnd.Tests.Packaging;

/// <summary>
/// A package install test: it installs <c>.deb</c> packages and creates system users, so it needs root and Debian's
/// packaging tools, and says which is missing instead of running without them (<c>bash .ci/run</c> runs as root).
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
internal sealed class PackagingFactAttribute : FactAttribute
{
    private static readonly string[] Tools = ["/usr/bin/dpkg", "/usr/bin/dpkg-deb", "/usr/bin/systemd-analyze", "/usr/sbin/runuser", "/usr/bin/ss"];

    public PackagingFactAttribute()
    {
        if (Environment.UserName != "root")
        {
            Skip = "Needs root: it installs the aar and ams packages and creates their users (bash .ci/run runs as root).";
        }
        else if (Tools.Where(tool => !File.Exists(tool) && !File.Exists("/usr" + tool)).ToList() is { Count: > 0 } missing)
        {
            Skip = $"Needs {string.Join(", ", missing)} (Debian packages dpkg, systemd, util-linux, iproute2).";
        }
    }
}
