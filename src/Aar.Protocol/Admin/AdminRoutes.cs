namespace Aar.Protocol.Admin;

/// <summary>Routes of the registry's admin API, served only on the unix socket.</summary>
public static class AdminRoutes
{
    public const string Prefix = "/admin/1.0";
    public const string Trust = Prefix + "/trust";
    public const string Revoked = Prefix + "/trust/revoked";
    public const string Tokens = Prefix + "/trust/tokens";

    public static string TrustEntry(string fingerprintPrefix) => $"{Trust}/{Uri.EscapeDataString(fingerprintPrefix)}";

    public static string Revoke(string fingerprintPrefix) => $"{TrustEntry(fingerprintPrefix)}/revoke";
}
