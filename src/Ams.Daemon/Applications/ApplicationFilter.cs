using Aar.Protocol.Management;
using Ams.Daemon.Api;
using Microsoft.AspNetCore.Http;

namespace Ams.Daemon.Applications;

/// <summary>The reference's list filters (<c>amc application list --filter k=v</c>); several filters must all match.</summary>
internal static class ApplicationFilter
{
    private static readonly string[] Keys = ["id", "name", "status", "instance-type", "published", "immutable", "tags", "addons", "boot-package"];

    public static Result<Func<ApplicationInfo, bool>> Parse(IQueryCollection query)
    {
        var predicates = new List<Func<ApplicationInfo, bool>>();
        foreach (var (rawKey, values) in query)
        {
            if (rawKey is "recursion" or "offset" or "limit")
            {
                continue;
            }

            var key = rawKey.Replace('_', '-') switch { "tag" => "tags", var k => k };
            if (!Keys.Contains(key))
            {
                return ApiProblem.BadRequest($"Unknown filter '{rawKey}': use one of {string.Join(", ", Keys)}.");
            }

            foreach (var value in values.OfType<string>())
            {
                predicates.Add(Predicate(key, value));
            }
        }

        return new Func<ApplicationInfo, bool>(application => predicates.All(p => p(application)));
    }

    private static Func<ApplicationInfo, bool> Predicate(string key, string value) => key switch
    {
        "id" => a => a.Id == value,
        "name" => a => a.Name == value,
        "status" => a => a.Status == value,
        "instance-type" => a => a.InstanceType == value,
        "published" => a => string.Equals(Flag(a.Published), value, StringComparison.OrdinalIgnoreCase),
        "immutable" => a => string.Equals(Flag(a.Immutable), value, StringComparison.OrdinalIgnoreCase),
        "tags" => a => value.Split(',').All(a.Tags.Contains),
        "addons" => a => value.Split(',').All(a.Addons.Contains),
        _ => a => a.BootPackage == value,
    };

    private static string Flag(bool value) => value ? "true" : "false";
}
