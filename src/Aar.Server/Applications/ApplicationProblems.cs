using Aar.Protocol.Http;

namespace Aar.Server.Applications;

/// <summary>Problems about applications and versions; each names what collided and with whom.</summary>
internal static class ApplicationProblems
{
    public static Problem NotFound(string name, string architecture) => new()
    {
        Type = ProblemTypes.ApplicationNotFound,
        Title = "Application not found",
        Status = 404,
        Detail = $"The registry has no application '{name}' for architecture {architecture}.",
    };

    public static Problem VersionNotFound(string name, string architecture, int version) => new()
    {
        Type = ProblemTypes.VersionNotFound,
        Title = "Version not found",
        Status = 404,
        Detail = $"The registry has no version {version} of application '{name}' ({architecture}).",
    };

    public static Problem Owned(string name, string architecture, string owner, string? ownerName) => new()
    {
        Type = ProblemTypes.ApplicationOwned,
        Title = "Application owned by another publisher",
        Status = 409,
        Detail = $"Application '{name}' ({architecture}) belongs to publisher {owner}{(string.IsNullOrEmpty(ownerName) ? "" : $" ('{ownerName}')")}; only it (or the operator, with 'aar application') may change it.",
        Fingerprint = owner,
    };

    public static Problem Conflict(string name, string architecture, int version, string existing, string requested) => new()
    {
        Type = ProblemTypes.VersionConflict,
        Title = "Version exists with other content",
        Status = 409,
        Detail = $"Version {version} of '{name}' ({architecture}) already exists with digest {existing}; it cannot become {requested}. Versions are immutable: publish a new version number instead.",
    };

    public static Problem RetiredConflict(string name, string architecture, int version, string earlier, string requested) => new()
    {
        Type = ProblemTypes.VersionConflict,
        Title = "Version number already used",
        Status = 409,
        Detail = $"Version {version} of '{name}' ({architecture}) was deleted, but it named digest {earlier}; it cannot become {requested}. A version number is never reused for other content: publish a new version number instead.",
    };

    public static Problem BlobMissing(string digest) => new()
    {
        Type = ProblemTypes.BlobUnknown,
        Title = "Package blob not uploaded",
        Status = 400,
        Detail = $"The registry has no blob {digest}; upload the package first (PUT /1.0/blobs/{{digest}} or an upload session), then create the version.",
    };

    public static Problem SizeMismatch(string digest, long declared, long stored) => new()
    {
        Type = ProblemTypes.SizeMismatch,
        Title = "Size mismatch",
        Status = 400,
        Detail = $"The version declares {declared} bytes but blob {digest} holds {stored}.",
    };
}
