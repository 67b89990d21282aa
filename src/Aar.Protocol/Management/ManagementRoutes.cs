namespace Aar.Protocol.Management;

/// <summary>Routes of the AMS local API on <c>&lt;data&gt;/unix.socket</c>; the shapes follow the original product's <c>/1.0</c> API.</summary>
public static class ManagementRoutes
{
    public const string Root = "/1.0";
    public const string Config = Root + "/config";
    public const string Certificates = Root + "/certificates";
    public const string Applications = Root + "/applications";
    public const string Operations = Root + "/operations";
    public const string Registry = Root + "/registry";
    public const string RegistrySync = Registry + "/sync";
    public const string RegistryJoin = Registry + "/join";
    public const string RegistryCertificate = Registry + "/certificate";
    public const string RegistryApplications = Registry + "/applications";

    public static string RegistryPush(string idOrName) => $"{Registry}/push/{Uri.EscapeDataString(idOrName)}";

    public static string RegistryPull(string name) => $"{Registry}/pull/{Uri.EscapeDataString(name)}";

    public static string RegistryRetry(string name) => $"{Registry}/retry/{Uri.EscapeDataString(name)}";

    /// <summary>Request header carrying the package's original file name, so error messages can name it.</summary>
    public const string PackageNameHeader = "X-AMS-Package-Name";

    public static string Certificate(string fingerprintOrName) => $"{Certificates}/{Uri.EscapeDataString(fingerprintOrName)}";

    public static string Application(string idOrName) => $"{Applications}/{Uri.EscapeDataString(idOrName)}";

    public static string Version(string idOrName, int version) => $"{Application(idOrName)}/{version}";

    public static string Operation(string id) => $"{Operations}/{Uri.EscapeDataString(id)}";

    public static string OperationWait(string id, TimeSpan timeout) => $"{Operation(id)}/wait?timeout={(long)Math.Ceiling(timeout.TotalSeconds)}";
}
