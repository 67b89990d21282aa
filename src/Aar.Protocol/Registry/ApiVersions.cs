namespace Aar.Protocol.Registry;

public static class ApiVersions
{
    /// <summary>The registry HTTP API version served under <c>/1.0</c>.</summary>
    public const string Current = "1.0";
}
