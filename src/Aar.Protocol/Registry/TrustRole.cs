namespace Aar.Protocol.Registry;

/// <summary>What a trusted certificate may do on the registry.</summary>
public enum TrustRole
{
    /// <summary>Read-only: list and download. The default for <c>aar trust add</c>.</summary>
    Client,

    /// <summary>Read-write: also upload and delete what it owns.</summary>
    Publisher,

    /// <summary>A person's browser: reads the dashboard (and may list and download, as a client may); pushes nothing.</summary>
    Viewer,

    /// <summary>A viewer that may also manage trust from the dashboard: join tokens, remove, revoke.</summary>
    Operator,
}

public static class TrustRoleNames
{
    /// <summary>Every role's wire name, for messages that list them.</summary>
    public const string All = "client, publisher, viewer or operator";

    public static string ToWire(this TrustRole role) => role switch
    {
        TrustRole.Publisher => "publisher",
        TrustRole.Viewer => "viewer",
        TrustRole.Operator => "operator",
        _ => "client",
    };

    /// <summary>The roles that may open the dashboard.</summary>
    public static bool SeesDashboard(this TrustRole role) => role is TrustRole.Viewer or TrustRole.Operator;

    /// <summary>The roles an AMS can hold (join tokens enrol an AMS, never a browser).</summary>
    public static bool IsMachineRole(this TrustRole role) => role is TrustRole.Client or TrustRole.Publisher;

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
            case "viewer":
                role = TrustRole.Viewer;
                return true;
            case "operator":
                role = TrustRole.Operator;
                return true;
            default:
                role = TrustRole.Client;
                return false;
        }
    }
}
