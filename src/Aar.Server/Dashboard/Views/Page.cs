using Aar.Protocol.Registry;

namespace Aar.Server.Dashboard.Views;

/// <summary>What every page needs besides its own content: who is looking, and the form token for its actions.</summary>
public sealed record Page(string CallerName, TrustRole CallerRole, string FormField, string FormToken, long RefreshMilliseconds)
{
    public bool IsOperator => CallerRole == TrustRole.Operator;
}
