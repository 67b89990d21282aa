using Ams.Daemon.Api;

namespace Ams.Daemon.Applications;

/// <summary>The refusals shared by several application operations, each one sentence with what to do next.</summary>
internal static class ApplicationProblems
{
    public static ApiProblem NotFound(string idOrName) =>
        ApiProblem.NotFound($"Application '{idOrName}' does not exist; see 'amc application list' for the ids and names.");

    public static ApiProblem NoVersion(LocalApplication application, int number) =>
        ApiProblem.NotFound($"Application '{application.Name}' has no version {number}; its versions are {string.Join(", ", application.Versions.Select(v => v.Number))}.");

    public static ApiProblem Immutable(LocalApplication application, string what) =>
        ApiProblem.Conflict($"Application '{application.Name}' is managed by the registry at {application.Origin?.RegistryUrl ?? "(unknown)"} and cannot be {what} here; change it on the publishing AMS instead.");

    public static ApiProblem ImmutableDelete(LocalApplication application) =>
        ApiProblem.Conflict($"Application '{application.Name}' is managed by the registry at {application.Origin?.RegistryUrl ?? "(unknown)"}; delete it there, or pass --force to delete it here anyway (the next pull imports it again while the registry still has it).");

    public static ApiProblem NotReady(LocalApplication application, LocalVersion version) =>
        ApiProblem.Conflict($"Version {version.Number} of '{application.Name}' is in status {version.Status.ToWire()}{(version.ErrorMessage is null ? "" : $" ({version.ErrorMessage})")} and cannot be published; upload a working package with 'amc application update {application.Name} <package>'.");

    public static ApiProblem Busy(LocalApplication application, LocalVersion version) =>
        ApiProblem.Conflict($"Version {version.Number} of '{application.Name}' is still being imported; wait for it with 'amc wait {application.Name} -c status=ready' and try again.");
}
