using Aar.Protocol.Http;

namespace Aar.Cli.Common;

/// <summary>Prints an API problem as one sentence on stderr and chooses the documented exit code for it.</summary>
public static class ProblemReporter
{
    public static int Report(CliConsole console, Problem problem)
    {
        ArgumentNullException.ThrowIfNull(console);
        ArgumentNullException.ThrowIfNull(problem);
        console.Error.WriteLine($"Error: {problem.Detail ?? problem.Title}");
        return ExitCodeFor(problem);
    }

    public static int ExitCodeFor(Problem problem)
    {
        ArgumentNullException.ThrowIfNull(problem);
        return problem.Type switch
        {
            ProblemTypes.Unreachable => ExitCodes.Unreachable,
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
