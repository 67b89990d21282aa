using System.Diagnostics;
using System.Security.Cryptography;

namespace Aar.Server.Problems;

/// <summary>
/// The id a problem quotes when its cause stays in the server log: bucket names, object keys and backend host names
/// are for the operator, not for every client (they map the deployment for an attacker). The log line that holds the
/// cause repeats the id, so an operator finds it from what a user reports.
/// </summary>
internal static class ProblemTrace
{
    /// <summary>The request's W3C trace id when ASP.NET Core started an activity for it, else a random one.</summary>
    public static string NewId() =>
        Activity.Current is { } activity ? activity.TraceId.ToHexString() : Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
}
