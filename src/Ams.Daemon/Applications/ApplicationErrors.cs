using Ams.Daemon.Api;

namespace Ams.Daemon.Applications;

/// <summary>The refusals shared by several application operations, each one sentence with what to do next.</summary>
internal static class ApplicationErrors
{
    public static ApiError NotFound(string idOrName) =>
        ApiError.NotFound($"Application '{idOrName}' does not exist; see 'amc application list' for the ids and names.");

    public static ApiError NoVersion(ApplicationRecord application, int number) =>
        ApiError.NotFound($"Application '{application.Name}' has no version {number}; its versions are {string.Join(", ", application.Versions.Select(v => v.Number))}.");

    public static ApiError Immutable(ApplicationRecord application, string what) =>
        ApiError.Conflict($"Application '{application.Name}' is managed by the registry at {application.Origin?.RegistryUrl ?? "(unknown)"} and cannot be {what} here; change it on the publishing AMS instead.");

    public static ApiError ImmutableDelete(ApplicationRecord application) =>
        ApiError.Conflict($"Application '{application.Name}' is managed by the registry at {application.Origin?.RegistryUrl ?? "(unknown)"}; delete it there, or pass --force to delete it here anyway (the next pull imports it again while the registry still has it).");

    public static ApiError NotReady(ApplicationRecord application, VersionRecord version) =>
        ApiError.Conflict($"Version {version.Number} of '{application.Name}' is in status {version.Status}{(version.ErrorMessage is null ? "" : $" ({version.ErrorMessage})")} and cannot be published; upload a working package with 'amc application update {application.Name} <package>'.");

    public static ApiError Busy(ApplicationRecord application, VersionRecord version) =>
        ApiError.Conflict($"Version {version.Number} of '{application.Name}' is still being imported; wait for it with 'amc wait {application.Name} -c status=ready' and try again.");
}
