using Aar.Protocol.Http;

namespace Aar.Cli.Common;

/// <summary>
/// The one way a command reports a failure: one sentence on stderr (<c>Error: …</c>) and the documented exit code,
/// whether the failure is an API problem or something the command found itself.
/// </summary>
public static class ProblemReporter
{
    public static int Report(CliConsole console, Problem problem)
    {
        ArgumentNullException.ThrowIfNull(problem);
        return Fail(console, problem.Detail ?? problem.Title, ExitCodeFor(problem));
    }

    /// <summary>Reports the problem of a failed API result.</summary>
    public static int Report<T>(CliConsole console, ApiResult<T> result)
    {
        ArgumentNullException.ThrowIfNull(result);
        return Report(console, result.Problem ?? throw new ArgumentException("The result succeeded; there is no problem to report.", nameof(result)));
    }

    /// <summary>Prints a failure the command found itself (bad option value, no answer) and returns its exit code.</summary>
    public static int Fail(CliConsole console, string message, int exitCode)
    {
        ArgumentNullException.ThrowIfNull(console);
        console.Error.WriteLine($"Error: {message}");
        return exitCode;
    }

    public static int ExitCodeFor(Problem problem)
    {
        ArgumentNullException.ThrowIfNull(problem);
        return problem.Type switch
        {
            ProblemTypes.Unreachable or ProblemTypes.RegistryUnreachable => ExitCodes.Unreachable,
            ProblemTypes.InvalidCertificate or ProblemTypes.InvalidRequest => ExitCodes.InvalidInput,
            ProblemTypes.NotFound or ProblemTypes.UnknownFingerprint
                or ProblemTypes.ApplicationNotFound or ProblemTypes.VersionNotFound or ProblemTypes.BlobUnknown
                or ProblemTypes.UploadUnknown or ProblemTypes.UploadExpired => ExitCodes.NotFound,
            ProblemTypes.Conflict or ProblemTypes.CertificateRevoked or ProblemTypes.RoleConflict or ProblemTypes.AmbiguousFingerprint or ProblemTypes.AlreadyRevoked
                or ProblemTypes.VersionConflict or ProblemTypes.ApplicationOwned or ProblemTypes.UploadBusy => ExitCodes.Conflict,
            ProblemTypes.UntrustedCertificate or ProblemTypes.RevokedCertificate or ProblemTypes.ExpiredCertificate
                or ProblemTypes.CertificateNotYetValid or ProblemTypes.PublisherRoleRequired => ExitCodes.Unreachable,
            _ => problem.Status is >= 400 and < 500 ? ExitCodes.InvalidInput : ExitCodes.Internal,
        };
    }
}
