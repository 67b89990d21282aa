namespace Aar.Protocol.Registry;

/// <summary>What a trusted certificate may do on the registry.</summary>
public enum TrustRole
{
    /// <summary>Read-only: list and download. The default for <c>aar trust add</c>.</summary>
    Client,

    /// <summary>Read-write: also upload and delete what it owns.</summary>
    Publisher,
}

public static class TrustRoleNames
{
    public static string ToWire(this TrustRole role) => role switch
    {
        TrustRole.Publisher => "publisher",
        _ => "client",
    };

    public static bool TryParse(string? text, out TrustRole role)
    {
        switch (text)
        {
            case "client":
                role = TrustRole.Client;
                return true;
            case "publisher":
                role = TrustRole.Publisher;
                return true;
            default:
                role = TrustRole.Client;
                return false;
        }
    }
}
