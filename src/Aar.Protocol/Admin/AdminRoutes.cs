namespace Aar.Protocol.Admin;

/// <summary>Routes of the registry's admin API, served only on the unix socket.</summary>
public static class AdminRoutes
{
    public const string Prefix = "/admin/1.0";
    public const string Trust = Prefix + "/trust";
    public const string Revoked = Prefix + "/trust/revoked";
    public const string Applications = Prefix + "/applications";
    public const string Status = Prefix + "/status";
    public const string Scrub = Prefix + "/storage/scrub";
    public const string Tokens = Prefix + "/trust/tokens";
    public const string SigningKey = Prefix + "/signing-key";
    public const string SigningKeyRotate = SigningKey + "/rotate";

    /// <summary>A signed applications listing for offline verification (<c>aar index export</c>).</summary>
    public const string SignedApplications = Prefix + "/signed/applications";

    public static string TrustEntry(string fingerprintPrefix) => $"{Trust}/{Uri.EscapeDataString(fingerprintPrefix)}";

    public static string Revoke(string fingerprintPrefix) => $"{TrustEntry(fingerprintPrefix)}/revoke";

    public static string Application(string name, string architecture) =>
        $"{Applications}/{Uri.EscapeDataString(name)}/{Uri.EscapeDataString(architecture)}";

    public static string Version(string name, string architecture, int version) =>
        $"{Application(name, architecture)}/versions/{version}";
}
